// The policy registry: every policy name, in one table, and how to build it.
//
//   on-demand         on-demand only
//   spot-only         spot when available, else idle (can miss)
//   greedy            spot when available, else idle, plus the Safety Net
//   uniform-progress  NSDI'24 Uniform Progress with hysteresis
//   spotrun           spotrun's own policy (spotrun_policy.h)
//   optimal           the offline optimum (needs the future trace)
//   default           the policy `spotrun launch` uses: spotrun
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "util/status.h"

namespace spotrun {

struct PolicyInfo {
  std::string_view name;
  std::string_view summary;  // One line for help text.
  // Needs the whole future of spot availability, so only the simulator can
  // run it; MakePolicy then requires `future`.
  bool offline = false;
  // Non-empty for an alias: the name it stands for.
  std::string_view alias_of;
  // Builds the policy (see MakePolicy); null for an alias.
  Result<std::unique_ptr<Policy>> (*make)(const JobTerms& terms,
                                          std::span<const uint8_t> future) = nullptr;
};

// The name the alias "default" stands for.
inline constexpr std::string_view kDefaultPolicy = "spotrun";

// The table, aliases included, in display order.
std::span<const PolicyInfo> PolicyTable();

// The names of all policies that are not aliases, in table order.
std::vector<std::string> PolicyNames();

// The entry for `name`, with aliases followed. Fails with InvalidArgument
// listing the known names.
Result<const PolicyInfo*> FindPolicy(std::string_view name);

// Builds policy `name` for a job with `terms`. `future` is spot availability
// from the job's start tick on (1 = available), needed by offline policies
// and ignored by the others. Fails with InvalidArgument for an unknown name
// or an offline policy without a future, or as PlanOptimal does.
Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const JobTerms& terms,
                                           std::span<const uint8_t> future = {});

}  // namespace spotrun
