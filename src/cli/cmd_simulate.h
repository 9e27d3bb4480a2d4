// `spotrun simulate`: replays spot traces through policies and prints what each
// would have cost (src/sim/). Run `spotrun simulate --help` for the flags.
#pragma once

#include <string>
#include <vector>

namespace spotrun {

// Runs the command with `args`, the words after "simulate". Prints results to
// stdout (usage for --help). A bad flag, value or trace file prints one line
// to stderr and returns 2; success returns 0.
int RunSimulateCommand(const std::vector<std::string>& args);

}  // namespace spotrun
