#include "spec/units.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(ParseNumberTest, AcceptsWholeNumbersOnly) {
  EXPECT_EQ(ParseNumber("4"), 4.0);
  EXPECT_EQ(ParseNumber("0.5"), 0.5);
  EXPECT_EQ(ParseNumber("+2"), 2.0);
  EXPECT_EQ(ParseNumber("-1"), -1.0);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  EXPECT_EQ(ParseNumber(""), std::nullopt);
  EXPECT_EQ(ParseNumber("many"), std::nullopt);
  EXPECT_EQ(ParseNumber("4 "), std::nullopt);
  EXPECT_EQ(ParseNumber("4x"), std::nullopt);
  EXPECT_EQ(ParseNumber("inf"), std::nullopt);
  EXPECT_EQ(ParseNumber("nan"), std::nullopt);
}

TEST(ParseIntegerTest, RejectsFractionsAndText) {
  EXPECT_EQ(ParseInteger("50"), 50);
  EXPECT_EQ(ParseInteger("-3"), -3);
  EXPECT_EQ(ParseInteger("2.5"), std::nullopt);
  EXPECT_EQ(ParseInteger("ten"), std::nullopt);
  EXPECT_EQ(ParseInteger("99999999999999999999"), std::nullopt);
}

TEST(ParseMemoryGibTest, ReadsBinaryUnits) {
  EXPECT_EQ(ParseMemoryGib("16"), 16.0);
  EXPECT_EQ(ParseMemoryGib("16G"), 16.0);
  EXPECT_EQ(ParseMemoryGib("16GB"), 16.0);
  EXPECT_EQ(ParseMemoryGib("16GiB"), 16.0);
  EXPECT_EQ(ParseMemoryGib("16 gib"), 16.0);
  EXPECT_EQ(ParseMemoryGib("512M"), 0.5);
  EXPECT_EQ(ParseMemoryGib("512MiB"), 0.5);
  EXPECT_EQ(ParseMemoryGib("1.5T"), 1536.0);
  EXPECT_EQ(ParseMemoryGib("-2G"), -2.0);  // Range is the caller's check.
}

TEST(ParseMemoryGibTest, RejectsOtherText) {
  EXPECT_EQ(ParseMemoryGib(""), std::nullopt);
  EXPECT_EQ(ParseMemoryGib("G"), std::nullopt);
  EXPECT_EQ(ParseMemoryGib("lots"), std::nullopt);
  EXPECT_EQ(ParseMemoryGib("16X"), std::nullopt);
  EXPECT_EQ(ParseMemoryGib("16GBs"), std::nullopt);
  EXPECT_EQ(ParseMemoryGib("16 G B"), std::nullopt);
}

TEST(ParseDurationSecondsTest, ReadsSecondsAndUnits) {
  EXPECT_EQ(ParseDurationSeconds("3600"), 3600.0);
  EXPECT_EQ(ParseDurationSeconds("90s"), 90.0);
  EXPECT_EQ(ParseDurationSeconds("30m"), 1800.0);
  EXPECT_EQ(ParseDurationSeconds("2h"), 7200.0);
  EXPECT_EQ(ParseDurationSeconds("1d"), 86400.0);
  EXPECT_EQ(ParseDurationSeconds("1h30m"), 5400.0);
  EXPECT_EQ(ParseDurationSeconds("1h 30m 5s"), 5405.0);
  EXPECT_EQ(ParseDurationSeconds("1.5h"), 5400.0);
  EXPECT_EQ(ParseDurationSeconds("0"), 0.0);  // Range is the caller's check.
}

TEST(ParseDurationSecondsTest, RejectsOtherText) {
  EXPECT_EQ(ParseDurationSeconds(""), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("soon"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("10x"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("h"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("30m1h"), std::nullopt);  // Units out of order.
  EXPECT_EQ(ParseDurationSeconds("1h1h"), std::nullopt);   // Unit repeated.
  EXPECT_EQ(ParseDurationSeconds("1h30"), std::nullopt);   // Trailing number.
  EXPECT_EQ(ParseDurationSeconds("-5m"), std::nullopt);
}

}  // namespace
}  // namespace spotrun
