#include "cloud/aws/image_choice.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace spotrun::aws {
namespace {

constexpr const char* kCanonical = "099720109477";
constexpr int kDefaultRootGb = 50;

// NVIDIA GPUs older than Turing: the open-source kernel modules of the
// current Deep Learning AMIs do not drive them.
const std::set<std::string> kPreTuring = {"V100", "P100", "K80", "M60", "K520", "M40", "K40"};
const std::set<std::string> kNeuronNames = {"Inferentia", "Inferentia2", "Trainium", "Trainium2"};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Accelerators GpuKind(const std::string& manufacturer, const std::string& name) {
  if (manufacturer != "NVIDIA") return Accelerators::kOther;
  return kPreTuring.count(name) ? Accelerators::kNvidiaPreTuring : Accelerators::kNvidia;
}

// "c7g.large" -> arm64: Graviton families carry a 'g' among the attributes
// that follow the generation digit (c7g, m6gd, c6gn, is4gen, t4g, g5g).
Arch ArchFromName(const std::string& type) {
  size_t i = 0;
  while (i < type.size() && std::isalpha(static_cast<unsigned char>(type[i]))) ++i;
  while (i < type.size() && std::isdigit(static_cast<unsigned char>(type[i]))) ++i;
  for (; i < type.size() && type[i] != '.' && type[i] != '-'; ++i) {
    if (type[i] == 'g') return Arch::kArm64;
  }
  return Arch::kX86_64;
}

std::string Accelerator(const TypeNeeds& needs) {
  return std::to_string(needs.accelerator_count) + "x " + needs.accelerator;
}

ImageSearch Dlami(const std::string& x86_pattern, const std::string& arm_pattern,
                  const std::string& what, Arch arch) {
  return {{"amazon"},
          arch == Arch::kArm64 ? arm_pattern : x86_pattern,
          arch,
          what + " (Ubuntu, " + ArchName(arch) + ")"};
}

}  // namespace

const char* ArchName(Arch arch) { return arch == Arch::kArm64 ? "arm64" : "x86_64"; }
const char* UbuntuArchName(Arch arch) { return arch == Arch::kArm64 ? "arm64" : "amd64"; }

TypeNeeds NeedsFromApi(const InstanceTypeInfo& info) {
  TypeNeeds needs;
  needs.instance_type = info.instance_type;
  needs.source = "DescribeInstanceTypes";
  const auto& archs = info.architectures;
  bool x86 = std::find(archs.begin(), archs.end(), "x86_64") != archs.end();
  bool arm = std::find(archs.begin(), archs.end(), "arm64") != archs.end();
  needs.arch = arm && !x86 ? Arch::kArm64 : Arch::kX86_64;
  if (info.neuron_count > 0) {
    needs.accelerators = Accelerators::kNeuron;
    needs.accelerator = info.neuron_name;
    needs.accelerator_count = info.neuron_count;
  } else if (info.gpu_count > 0) {
    needs.accelerators = GpuKind(info.gpu_manufacturer, info.gpu_name);
    needs.accelerator = info.gpu_manufacturer + " " + info.gpu_name;
    needs.accelerator_count = info.gpu_count;
  }
  return needs;
}

std::optional<TypeNeeds> NeedsFromCatalog(const std::string& instance_type,
                                          const std::vector<Offer>& catalog) {
  auto offer = std::find_if(catalog.begin(), catalog.end(),
                            [&](const Offer& o) { return o.instance_type == instance_type; });
  if (offer == catalog.end()) return std::nullopt;
  TypeNeeds needs;
  needs.instance_type = instance_type;
  needs.source = "the bundled catalog";
  needs.arch = ArchFromName(instance_type);
  if (offer->accelerator_count > 0) {
    const std::string& name = offer->accelerator;
    bool neuron = kNeuronNames.count(name) > 0;
    bool amd = name.find("Radeon") != std::string::npos;
    needs.accelerators = neuron ? Accelerators::kNeuron : GpuKind(amd ? "AMD" : "NVIDIA", name);
    needs.accelerator = neuron || amd ? name : "NVIDIA " + name;
    needs.accelerator_count = offer->accelerator_count;
  }
  return needs;
}

Result<ImageSearch> AliasSearch(const std::string& alias, Arch arch) {
  const std::string a = UbuntuArchName(arch);
  if (alias == "ubuntu-22.04") {
    return ImageSearch{{kCanonical},
                       "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-" + a + "-server-*",
                       arch,
                       std::string("the newest Ubuntu 22.04 LTS (") + a + ")"};
  }
  if (alias == "ubuntu-24.04") {
    return ImageSearch{{kCanonical},
                       "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-" + a + "-server-*",
                       arch,
                       std::string("the newest Ubuntu 24.04 LTS (") + a + ")"};
  }
  if (alias == "dlami-pytorch") {
    return Dlami("Deep Learning OSS Nvidia Driver AMI GPU PyTorch * (Ubuntu *) *",
                 "Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch * (Ubuntu *) *",
                 "the newest Deep Learning AMI with PyTorch", arch);
  }
  if (alias == "dlami-base") {
    return Dlami("Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu *) *",
                 "Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu *) *",
                 "the newest Deep Learning Base AMI", arch);
  }
  return InvalidArgument("resources.image: unknown alias '" + alias +
                         "'; use ubuntu-22.04, ubuntu-24.04, dlami-pytorch or dlami-base");
}

Result<ImageSearch> DefaultSearch(const TypeNeeds& needs) {
  const std::string& type = needs.instance_type;
  switch (needs.accelerators) {
    case Accelerators::kNeuron:
      return InvalidArgument(
          "aws: " + type + " has AWS Neuron accelerators (" + Accelerator(needs) +
          "), which need the Neuron Deep Learning AMIs that spotrun does not choose yet; "
          "choose an NVIDIA GPU type such as g5.xlarge, or give resources.image");
    case Accelerators::kNvidiaPreTuring:
      return InvalidArgument(
          "aws: " + type + " has " + Accelerator(needs) +
          " GPUs, which the Deep Learning AMIs (open-source NVIDIA driver, Turing or newer) do "
          "not support; choose g4dn.xlarge (T4), g5.xlarge (A10G) or p4d.24xlarge (A100), or "
          "give resources.image an AMI with a driver for them (docs/gpu.md)");
    case Accelerators::kNvidia: {
      ImageSearch search = *AliasSearch("dlami-pytorch", needs.arch);
      search.what += ", for the " + Accelerator(needs) + " of " + type;
      return search;
    }
    case Accelerators::kOther: {
      ImageSearch search = *AliasSearch("ubuntu-24.04", needs.arch);
      search.what += ": " + type + "'s " + Accelerator(needs) + " get no driver from spotrun";
      return search;
    }
    case Accelerators::kNone:
      break;
  }
  ImageSearch search = *AliasSearch("ubuntu-24.04", needs.arch);
  search.what += ": " + type + " has no GPU";
  return search;
}

const Image* Newest(const std::vector<Image>& images) {
  auto newest = std::max_element(images.begin(), images.end(), [](const Image& a, const Image& b) {
    return a.creation_date < b.creation_date;
  });
  return newest == images.end() ? nullptr : &*newest;
}

std::string LoginUserOf(const Image& image) {
  const std::string text = Lower(image.name + " " + image.description);
  if (text.find("amazon linux") != std::string::npos || text.rfind("al20", 0) == 0 ||
      text.rfind("amzn", 0) == 0) {
    return "ec2-user";
  }
  if (text.rfind("debian", 0) == 0) return "admin";
  return "ubuntu";
}

std::string PythonEnvOf(const Image& image) {
  bool dlami = image.name.rfind("Deep Learning", 0) == 0;
  return dlami && image.name.find("PyTorch") != std::string::npos ? "/opt/pytorch" : "";
}

std::string DescribeChoice(const ImageChoice& c) {
  std::string line = c.image.image_id + " (" + c.image.name + ", " + c.image.architecture +
                     "), login " + c.login_user + ", root volume " +
                     std::to_string(c.root_volume_gb) + " GB";
  if (!c.python_env.empty()) line += ", python from " + c.python_env;
  return line + ": " + c.why;
}

Result<int> RootVolumeGb(int requested_gb, const Image& image) {
  if (requested_gb <= 0) return std::max(kDefaultRootGb, image.root_volume_gb);
  if (requested_gb < image.root_volume_gb) {
    return InvalidArgument("resources.disk_size: " + std::to_string(requested_gb) +
                           " GB is smaller than the root snapshot of image " + image.image_id +
                           " (" + std::to_string(image.root_volume_gb) + " GB); give at least " +
                           std::to_string(image.root_volume_gb));
  }
  return requested_gb;
}

}  // namespace spotrun::aws
