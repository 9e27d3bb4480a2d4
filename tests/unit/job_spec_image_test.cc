// `resources.image` (an AMI id, an alias, or a name pattern with its owner)
// and `resources.ssh_user` in the job file.
#include <gtest/gtest.h>

#include "spec/job_spec.h"
#include "spec_test_util.h"

namespace spotrun {
namespace {

using JobSpecImageTest = SpecTest;

TEST_F(JobSpecImageTest, IdsAliasesAndPatterns) {
  Result<JobSpec> id = Parse("run: x\nresources: {image: ami-0123456789abcdef0}\n");
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->resources.image, "ami-0123456789abcdef0");
  EXPECT_EQ(id->resources.image_owner, "");
  for (const char* alias : kImageAliases) {
    Result<JobSpec> spec = Parse(std::string("run: x\nresources: {image: ") + alias + "}\n");
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    EXPECT_EQ(spec->resources.image, alias);
  }
  Result<JobSpec> pattern = Parse(
      "run: x\nresources:\n  image: {name: \"Deep Learning*PyTorch*Ubuntu 24.04*\", owner: "
      "amazon}\n  ssh_user: ec2-user\n");
  ASSERT_TRUE(pattern.ok()) << pattern.status().message();
  EXPECT_EQ(pattern->resources.image, "Deep Learning*PyTorch*Ubuntu 24.04*");
  EXPECT_EQ(pattern->resources.image_owner, "amazon");
  EXPECT_EQ(pattern->resources.ssh_user, "ec2-user");
  Result<JobSpec> none = Parse("run: x\n");
  EXPECT_EQ(none->resources.image, "");
  EXPECT_EQ(none->resources.ssh_user, "");
}

TEST_F(JobSpecImageTest, MistakesAreOneLineAtTheField) {
  EXPECT_EQ(Error("run: x\nresources:\n  image: ubuntu\n"),
            At("3:10: resources.image: expected an AMI id (ami-0abc...), an alias (ubuntu-22.04, "
               "ubuntu-24.04, dlami-pytorch, dlami-base) or {name: PATTERN, owner: OWNER}, got "
               "'ubuntu'"));
  EXPECT_EQ(Error("run: x\nresources:\n  image: {name: \"Deep*\"}\n"),
            At("3:10: resources.image: a name pattern needs both name and owner, e.g. {name: "
               "\"Deep Learning*PyTorch*\", owner: amazon}"));
  EXPECT_EQ(Error("run: x\nresources:\n  image: {name: a, ownr: b}\n"),
            At("3:20: resources.image.ownr: unknown key; did you mean 'owner'?"));
  EXPECT_EQ(Error("run: x\nresources:\n  ssh_user: \"ubuntu; rm -rf /\"\n"),
            At("3:13: resources.ssh_user: expected a login name such as ubuntu, got 'ubuntu; rm "
               "-rf /'"));
}

}  // namespace
}  // namespace spotrun
