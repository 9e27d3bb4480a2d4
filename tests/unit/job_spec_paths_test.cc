// Path rules of the job file: inputs, outputs, checkpoint and workdir.
#include <gtest/gtest.h>

#include "spec/job_spec.h"
#include "spec_test_util.h"

namespace spotrun {
namespace {

using JobSpecPathTest = SpecTest;

// Two outputs that would land on each other are refused before anything is
// launched (the agent used to crash staging them, and the job hung).
TEST_F(JobSpecPathTest, ClashingOutputsAreRefused) {
  EXPECT_EQ(Error("run: x\noutputs:\n  - a/b\n  - a\n"),
            At("4:5: outputs[1]: 'a' holds 'a/b' (line 3); list one of them"));
  EXPECT_EQ(Error("run: x\noutputs:\n  - a\n  - a/b/\n"),
            At("4:5: outputs[1]: 'a/b' is inside 'a' (line 3); list one of them"));
  EXPECT_EQ(Error("run: x\noutputs: [model.pt, ./model.pt]\n"),
            At("2:21: outputs[1]: 'model.pt' is already an output, on line 2"));
  EXPECT_EQ(Error("run: x\noutputs:\n  a: a\n  c/b: a/b\n"),
            At("4:3: outputs.c/b: 'c/b' lands at 'a/b' in the results directory, and 'a' "
               "(line 3) at 'a': one would overwrite the other"));
  EXPECT_EQ(Error("run: x\noutputs:\n  - x/b\n  - y/b\n"),
            At("4:5: outputs[1]: 'y/b' lands at 'b' in the results directory, and 'x/b' "
               "(line 3) at 'b': one would overwrite the other"));
  EXPECT_EQ(Error("run: x\noutputs:\n  - logs\n  - out/*.txt: logs/text\n"),
            At("4:5: outputs[1]: 'out/*.txt' lands at 'logs/text' in the results directory, "
               "and 'logs' (line 3) at 'logs': one would overwrite the other"));
}

TEST_F(JobSpecPathTest, OutputsThatDoNotClash) {
  auto spec = Parse(
      "run: x\noutputs:\n  - a/b\n  - ab\n  - a/c: c2\n  - logs/*.txt: logs/\n"
      "  - more/*.txt: logs/\n  - '*.pt'\n  - model.pt: final/model.pt\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->outputs.size(), 7u);
}

TEST_F(JobSpecPathTest, OutputDestinationsCannotEscapeTheResults) {
  EXPECT_EQ(Error("run: x\noutputs:\n  - model.pt: ../x\n"),
            At("3:15: outputs[0]: '../x' contains '..'; it must stay inside the results "
               "directory"));
  EXPECT_EQ(Error("run: x\noutputs:\n  - a\n  - model.pt: /etc/passwd\n"),
            At("4:15: outputs[1]: '/etc/passwd' is absolute; it must be a path relative to the "
               "results directory"));
  EXPECT_EQ(Error("run: x\noutputs:\n  model.pt: a/../../b\n"),
            At("3:13: outputs.model.pt: 'a/../../b' contains '..'; it must stay inside the "
               "results directory"));
  EXPECT_EQ(Error("run: x\noutputs:\n  model.pt: a/..\n"),
            At("3:13: outputs.model.pt: 'a/..' contains '..'; it must stay inside the results "
               "directory"));
  EXPECT_EQ(Error("run: x\noutputs:\n  model.pt: ./\n"),
            At("3:13: outputs.model.pt: './' names the results directory itself; name a path "
               "inside it"));
  EXPECT_EQ(Error("run: x\noutputs:\n  model.pt: \"\"\n"),
            At("3:13: outputs.model.pt: must not be empty; name a path inside the results "
               "directory"));
  EXPECT_EQ(Error("run: x\noutputs:\n  model.pt:\n"),
            At("3:3: outputs.model.pt: needs a destination inside the results directory; to keep "
               "the file name, list the path as a plain list item instead"));
}

TEST_F(JobSpecPathTest, OutputRemotesStayInTheWorkdir) {
  EXPECT_EQ(Error("run: x\noutputs:\n  - ../secret\n"),
            At("3:5: outputs[0]: '../secret' contains '..'; it must stay inside the workdir on "
               "the instance"));
  EXPECT_EQ(Error("run: x\noutputs:\n  - /var/log/syslog\n"),
            At("3:5: outputs[0]: '/var/log/syslog' is absolute; it must be a path relative to the "
               "workdir on the instance"));
  EXPECT_EQ(Error("run: x\noutputs:\n  - {a: b, c: d}\n"),
            At("3:5: outputs[0]: expected a path or a one-entry mapping {remote: dest}, got a "
               "mapping with 2 entries"));
}

TEST_F(JobSpecPathTest, InputsNeedExistingLocalSources) {
  EXPECT_EQ(
      Error("run: x\ninputs:\n  data/train.csv: missing.csv\n"),
      At("3:19: inputs.data/train.csv: local source '" + Abs("missing.csv") + "' does not exist"));
  EXPECT_EQ(Error("run: x\ninputs:\n  ../up: https://x.org/a\n"),
            At("3:3: inputs.../up: '../up' contains '..'; it must stay inside the workdir on the "
               "instance"));
  EXPECT_EQ(Error("run: x\ninputs:\n  /abs: https://x.org/a\n"),
            At("3:3: inputs./abs: '/abs' is absolute; it must be a path relative to the workdir "
               "on the instance"));
  EXPECT_EQ(Error("run: x\ninputs:\n  data:\n"),
            At("3:3: inputs.data: needs a source: a local path or a URL"));
  EXPECT_EQ(Error("run: x\ninputs:\n  data: gs://bucket/x\n"),
            At("3:9: inputs.data: unsupported URL scheme 'gs'; use http://, https:// or s3://"));
  EXPECT_EQ(Error("run: x\ninputs:\n  data: s3://\n"),
            At("3:9: inputs.data: URL s3:// has no host or bucket after '://'"));
  EXPECT_EQ(Error("run: x\ninputs:\n  data: https://a/1\n  ./data: https://a/2\n"),
            At("4:3: inputs../data: 'data' is already the destination of another input"));
}

TEST_F(JobSpecPathTest, WorkdirMustBeAnExistingDirectory) {
  EXPECT_EQ(Error("run: x\nworkdir: nowhere\n"),
            At("2:10: workdir: directory '" + Abs("nowhere") + "' does not exist"));
  Touch("file.txt");
  EXPECT_EQ(Error("run: x\nworkdir: file.txt\n"),
            At("2:10: workdir: '" + Abs("file.txt") + "' is not a directory"));
}

TEST_F(JobSpecPathTest, CheckpointDirStaysInTheWorkdir) {
  EXPECT_EQ(Error("run: x\ncheckpoint:\n  dir: ../ck\n"),
            At("3:8: checkpoint.dir: '../ck' contains '..'; it must stay inside the workdir on the "
               "instance"));
  EXPECT_EQ(Error("run: x\ncheckpoint:\n  dir: .\n"),
            At("3:8: checkpoint.dir: '.' names the workdir on the instance itself; name a path "
               "inside it"));
}

}  // namespace
}  // namespace spotrun
