#include "policy/registry.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(RegistryTest, ListsEveryPolicyOnce) {
  EXPECT_EQ(PolicyNames(), (std::vector<std::string>{"on-demand", "spot-only", "greedy",
                                                     "uniform-progress", "spotrun", "optimal"}));
}

TEST(RegistryTest, DefaultIsSpotrun) {
  Result<const PolicyInfo*> info = FindPolicy("default");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)->name, "spotrun");
  EXPECT_EQ(kDefaultPolicy, "spotrun");
  EXPECT_FALSE((*info)->offline);
}

TEST(RegistryTest, UnknownNameListsTheKnownOnes) {
  Result<const PolicyInfo*> info = FindPolicy("fastest");
  EXPECT_EQ(info.status().code(), Code::kInvalidArgument);
  EXPECT_NE(info.status().message().find("uniform-progress"), std::string::npos);
}

TEST(RegistryTest, OptimalNeedsTheFuture) {
  JobTerms t;
  t.tick_s = 195;
  EXPECT_EQ(MakePolicy("optimal", t).status().code(), Code::kInvalidArgument);
  const std::vector<uint8_t> future(1000, 1);
  EXPECT_TRUE(MakePolicy("optimal", t, future).ok());
  for (const std::string& name : PolicyNames()) {
    EXPECT_TRUE(MakePolicy(name, t, future).ok()) << name;
  }
}

}  // namespace
}  // namespace spotrun
