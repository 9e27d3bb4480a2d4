#include "util/status.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(StatusTest, OkAndErrorsPrintTheirCode) {
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  EXPECT_EQ(Unavailable("throttled").ToString(), "Unavailable: throttled");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 3;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  Result<int> bad = NotFound("no such job");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace spotrun
