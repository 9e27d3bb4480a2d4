#include "sim/trace.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

const std::string kSource = SPOTRUN_SOURCE_DIR;

TEST(TraceEncodingTest, Parses) {
  EXPECT_EQ(ParseTraceEncoding("availability")->kind, TraceEncoding::Kind::kAvailability);
  EXPECT_EQ(ParseTraceEncoding("preemption")->kind, TraceEncoding::Kind::kPreemption);
  Result<TraceEncoding> count = ParseTraceEncoding("count:16");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->kind, TraceEncoding::Kind::kCount);
  EXPECT_EQ(count->count, 16);
  for (const char* bad : {"count:0", "count:", "count:x", "count:4x", "spot", ""}) {
    EXPECT_EQ(ParseTraceEncoding(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(TraceEncodingTest, InferredFromTheFolder) {
  EXPECT_EQ(InferTraceEncoding("x/preemption/a.json").kind, TraceEncoding::Kind::kPreemption);
  EXPECT_EQ(InferTraceEncoding("x/availability/a.json").kind, TraceEncoding::Kind::kAvailability);
  EXPECT_EQ(InferTraceEncoding("a.json").kind, TraceEncoding::Kind::kAvailability);
  EXPECT_EQ(InferTraceEncoding("preemption/x/a.json").kind, TraceEncoding::Kind::kAvailability);
}

TEST(ParseTraceTest, DecodesEachEncoding) {
  const std::string json = R"({"metadata": {"gap_seconds": 30}, "data": [0, 1, 2, 3]})";
  Result<Trace> a = ParseTrace(json, {TraceEncoding::Kind::kAvailability, 1}, "t");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->gap_s, 30);
  EXPECT_EQ(a->available, (std::vector<uint8_t>{1, 0, 0, 0}));
  Result<Trace> p = ParseTrace(json, {TraceEncoding::Kind::kPreemption, 1}, "t");
  EXPECT_EQ(p->available, (std::vector<uint8_t>{0, 1, 1, 1}));
  Result<Trace> c = ParseTrace(json, {TraceEncoding::Kind::kCount, 2}, "t");
  EXPECT_EQ(c->available, (std::vector<uint8_t>{0, 0, 1, 1}));
  EXPECT_DOUBLE_EQ(c->AvailableFraction(), 0.5);
  EXPECT_TRUE(c->Available(3));
  EXPECT_FALSE(c->Available(4));
  EXPECT_FALSE(c->Available(-1));
}

TEST(ParseTraceTest, RejectsMalformedFiles) {
  const TraceEncoding e;
  for (const char* bad : {
           R"({"data": [0]})",
           R"({"metadata": {"gap_seconds": 0}, "data": [0]})",
           R"({"metadata": {"gap_seconds": 1.5}, "data": [0]})",
           R"({"metadata": {"gap_seconds": 10}, "data": 3})",
           R"({"metadata": {"gap_seconds": 10}, "data": [0, "x"]})",
           R"({"metadata": )",
       }) {
    Result<Trace> t = ParseTrace(bad, e, "bad.json");
    EXPECT_EQ(t.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(t.status().message().find("bad.json"), std::string::npos);
  }
}

TEST(LoadTraceTest, ReadsTheBundledTraces) {
  Result<Trace> a = LoadTrace(kSource + "/data/traces/availability/us-east-1a_v100_1.json");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "us-east-1a_v100_1");
  EXPECT_EQ(a->gap_s, 195);
  EXPECT_EQ(a->ticks(), 20158);
  EXPECT_NEAR(a->AvailableFraction(), 0.833, 0.001);  // data/traces/README.md
  Result<Trace> p = LoadTrace(kSource + "/data/traces/preemption/us-west-2b_v100_1.json");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->gap_s, 32);
  EXPECT_EQ(p->ticks(), 19961);
  EXPECT_NEAR(p->AvailableFraction(), 0.793, 0.001);
  // Read the other way round, the same file is available 20.7% of the time.
  Result<Trace> flipped = LoadTrace(kSource + "/data/traces/preemption/us-west-2b_v100_1.json",
                                    TraceEncoding{TraceEncoding::Kind::kAvailability, 1});
  EXPECT_NEAR(flipped->AvailableFraction(), 1 - 0.793, 0.001);
}

TEST(LoadTraceTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadTrace("/nonexistent/trace.json").status().code(), Code::kNotFound);
}

TEST(ListTraceFilesTest, FindsBothFamilies) {
  Result<std::vector<std::string>> files = ListTraceFiles(kSource + "/data/traces");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 13u);
  EXPECT_EQ(ListTraceFiles("/nonexistent").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace spotrun
