#include "policy/registry.h"

#include "policy/baseline_policies.h"
#include "policy/optimal.h"
#include "policy/spotrun_policy.h"

namespace spotrun {
namespace {

template <typename P>
Result<std::unique_ptr<Policy>> MakeOnline(const JobTerms&, std::span<const uint8_t>) {
  return std::unique_ptr<Policy>(std::make_unique<P>());
}

Result<std::unique_ptr<Policy>> MakeOptimal(const JobTerms& terms,
                                            std::span<const uint8_t> future) {
  Result<Plan> plan = PlanOptimal(terms, future);
  if (!plan.ok()) return plan.status();
  return std::unique_ptr<Policy>(std::make_unique<PlanPolicy>(std::move(plan->decisions)));
}

constexpr PolicyInfo kPolicies[] = {
    {"on-demand", "on-demand only", false, "", MakeOnline<OnDemandPolicy>},
    {"spot-only", "spot when available, else idle; can miss the deadline", false, "",
     MakeOnline<SpotOnlyPolicy>},
    {"greedy", "spot when available, else idle, with the Safety Net", false, "",
     MakeOnline<GreedyPolicy>},
    {"uniform-progress", "NSDI'24 Uniform Progress with hysteresis and the Safety Net", false, "",
     MakeOnline<UniformProgressPolicy>},
    {"spotrun",
     "slack-budgeted: waits for spot while slack allows, leaves on-demand only with slack to spare",
     false, "", MakeOnline<SpotrunPolicy>},
    {"optimal", "offline optimum that knows the whole future trace (lower bound)", true, "",
     MakeOptimal},
    {"default", "the policy launch uses", false, kDefaultPolicy, nullptr},
};

}  // namespace

std::span<const PolicyInfo> PolicyTable() { return kPolicies; }

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (const PolicyInfo& p : kPolicies) {
    if (p.alias_of.empty()) names.emplace_back(p.name);
  }
  return names;
}

Result<const PolicyInfo*> FindPolicy(std::string_view name) {
  for (const PolicyInfo& p : kPolicies) {
    if (p.name != name) continue;
    return p.alias_of.empty() ? Result<const PolicyInfo*>(&p) : FindPolicy(p.alias_of);
  }
  std::string known;
  for (const PolicyInfo& p : kPolicies) known += (known.empty() ? "" : ", ") + std::string(p.name);
  return InvalidArgument("unknown policy '" + std::string(name) + "' (known: " + known + ")");
}

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const JobTerms& terms,
                                           std::span<const uint8_t> future) {
  Result<const PolicyInfo*> info = FindPolicy(name);
  if (!info.ok()) return info.status();
  if ((*info)->offline && future.empty()) {
    return InvalidArgument("policy '" + std::string((*info)->name) +
                           "' needs the future spot trace; only simulate can run it");
  }
  return (*info)->make(terms, future);
}

}  // namespace spotrun
