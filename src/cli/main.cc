#include <cstdio>

int main() {
  std::puts("spotrun 0.1.0");
  return 0;
}
