#include "cli/commands.h"

int main(int argc, char** argv) { return spotrun::RunCli(argc, argv); }
