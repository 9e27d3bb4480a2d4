// Which machine image an instance type boots on EC2, and what follows from
// the image (login user, Python environment, root volume size). Plain code
// over DescribeInstanceTypes and DescribeImages values; AwsCloud makes the
// calls (aws_cloud_image.cc). docs/gpu.md explains the choices.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cloud/aws/ec2_types.h"
#include "util/status.h"

namespace spotrun::aws {

enum class Arch { kX86_64, kArm64 };
const char* ArchName(Arch arch);        // "x86_64" / "arm64" (EC2's image architecture).
const char* UbuntuArchName(Arch arch);  // "amd64" / "arm64" (Canonical's image names).

enum class Accelerators {
  kNone,
  kNvidia,           // Turing or newer: the Deep Learning AMIs support it.
  kNvidiaPreTuring,  // V100, K80, M60...: the OSS-driver Deep Learning AMIs do not.
  kNeuron,           // AWS Inferentia / Trainium.
  kOther,            // Another maker's GPU (AMD, Habana...).
};

// What an instance type needs from its image.
struct TypeNeeds {
  std::string instance_type;
  Arch arch = Arch::kX86_64;
  Accelerators accelerators = Accelerators::kNone;
  std::string accelerator;  // "NVIDIA A10G", "Inferentia2"; "" without.
  int accelerator_count = 0;
  std::string
      source;  // Where the facts came from: "DescribeInstanceTypes" or "the bundled catalog".
};

// From DescribeInstanceTypes.
TypeNeeds NeedsFromApi(const InstanceTypeInfo& info);
// From the bundled catalog, for a type the API does not describe (moto lacks
// old families such as p3): accelerator from the catalog, architecture from
// the type's name (a 'g' among the attributes after the generation digit
// means Graviton, arm64). nullopt when the catalog lacks the type too.
std::optional<TypeNeeds> NeedsFromCatalog(const std::string& instance_type,
                                          const std::vector<Offer>& catalog);

// One DescribeImages lookup: the newest available image of `owners` whose name
// matches `name_pattern` (EC2 wildcards) and whose architecture is `arch`.
struct ImageSearch {
  std::vector<std::string> owners;
  std::string name_pattern;
  Arch arch = Arch::kX86_64;
  std::string what;  // "the newest Deep Learning AMI with PyTorch (Ubuntu, x86_64)".
};

// The image a launch boots, and what follows from it.
struct ImageChoice {
  Image image;
  std::string login_user;  // The job's ssh_user, else LoginUserOf(image).
  std::string python_env;  // PythonEnvOf(image).
  int root_volume_gb = 0;  // RootVolumeGb of the requested size.
  std::string why;         // "the newest Ubuntu 24.04 LTS (arm64): c7g.large has no GPU".
};

// "ami-0abc (NAME, x86_64), login ubuntu, root volume 50 GB: WHY".
std::string DescribeChoice(const ImageChoice& choice);

// The search for an alias `resources.image` accepts (kImageAliases in
// spec/job_spec.h, where the job file is checked); kInvalidArgument for another name.
Result<ImageSearch> AliasSearch(const std::string& alias, Arch arch);
// The search when the job names no image, with why in `what`; kInvalidArgument
// (a one-line refusal naming a type that works) for Neuron types and
// pre-Turing NVIDIA GPUs.
Result<ImageSearch> DefaultSearch(const TypeNeeds& needs);

// The newest of `images` by creation date; nullptr when empty.
const Image* Newest(const std::vector<Image>& images);

// The user an image is logged into: "ec2-user" (Amazon Linux), "admin"
// (Debian), "ubuntu" (Ubuntu, and anything else).
std::string LoginUserOf(const Image& image);
// The image's Python virtual environment that `python` should be: "/opt/pytorch"
// on a Deep Learning AMI with PyTorch, "" otherwise.
std::string PythonEnvOf(const Image& image);

// The root volume to ask for: `requested_gb` (0 = not given: 50, or the
// snapshot's size when larger). kInvalidArgument when a given size is smaller
// than the image's root snapshot.
Result<int> RootVolumeGb(int requested_gb, const Image& image);

}  // namespace spotrun::aws
