// AwsCloud's image choice: the EC2 calls behind the rules of image_choice.h.
#include "cloud/aws/aws_cloud.h"

namespace spotrun::aws {
namespace {

Image WithRootDevice(Image image) {
  if (image.root_device_name.empty()) image.root_device_name = "/dev/sda1";
  return image;
}

// The lookup for a request that names no image id: the type's default, an
// alias, or a name pattern with its owner.
Result<ImageSearch> SearchFor(const LaunchRequest& request, const TypeNeeds& needs) {
  if (request.image.empty()) return DefaultSearch(needs);
  if (request.image_owner.empty()) {
    Result<ImageSearch> search = AliasSearch(request.image, needs.arch);
    if (search.ok()) search->what += " (resources.image: " + request.image + ")";
    return search;
  }
  return ImageSearch{{request.image_owner},
                     request.image,
                     needs.arch,
                     "the newest image of " + request.image_owner + " named '" + request.image +
                         "' (resources.image)"};
}

}  // namespace

Result<TypeNeeds> AwsCloud::NeedsOf(Ec2Client& client, const std::string& instance_type) {
  Result<std::vector<InstanceTypeInfo>> infos = client.DescribeInstanceTypes({instance_type});
  // A type EC2 does not know is an InvalidInstanceType answer (moto lacks old ones, p3).
  if (infos.ok() && !infos->empty()) return NeedsFromApi(infos->front());
  if (!infos.ok() && infos.status().code() != Code::kInvalidArgument &&
      infos.status().code() != Code::kNotFound) {
    return infos.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<TypeNeeds> from_catalog = NeedsFromCatalog(instance_type, catalog_);
  if (!from_catalog) {
    return InvalidArgument("aws: EC2 does not describe instance type '" + instance_type +
                           "' and the catalog lacks it, so its image cannot be chosen");
  }
  return *from_catalog;
}

Result<Image> AwsCloud::FindImage(Ec2Client& client, const ImageSearch& search,
                                  const std::string& region) {
  ImageQuery query;
  query.owners = search.owners;
  query.filters = {{"name", {search.name_pattern}},
                   {"state", {"available"}},
                   {"architecture", {ArchName(search.arch)}}};
  Result<std::vector<Image>> images = client.DescribeImages(query);
  if (!images.ok()) return images.status();
  const Image* newest = Newest(*images);
  if (newest == nullptr) {
    return NotFound("aws: no " + std::string(ArchName(search.arch)) + " image named '" +
                    search.name_pattern + "' from owner " + search.owners.front() + " in " +
                    region);
  }
  return WithRootDevice(*newest);
}

Result<Image> AwsCloud::ImageById(Ec2Client& client, const LaunchRequest& request,
                                  const TypeNeeds& needs) {
  ImageQuery query;
  query.image_ids = {request.image};
  Result<std::vector<Image>> found = client.DescribeImages(query);
  if (!found.ok()) return found.status();
  if (found->empty())
    return NotFound("aws: image " + request.image + " not found in " + request.region);
  if (found->front().architecture != ArchName(needs.arch)) {
    return InvalidArgument("aws: resources.image " + request.image + " is " +
                           found->front().architecture + " but " + request.instance_type +
                           " runs " + ArchName(needs.arch) + " images (" + needs.source + ")");
  }
  return WithRootDevice(found->front());
}

Result<ImageChoice> AwsCloud::ChooseImage(Ec2Client& client, const LaunchRequest& request) {
  Result<TypeNeeds> needs = NeedsOf(client, request.instance_type);
  if (!needs.ok()) return needs.status();
  ImageChoice choice;
  if (request.image.rfind("ami-", 0) == 0) {
    Result<Image> image = ImageById(client, request, *needs);
    if (!image.ok()) return image.status();
    choice.image = *image;
    choice.why = "resources.image";
  } else {
    Result<ImageSearch> search = SearchFor(request, *needs);
    if (!search.ok()) return search.status();
    Result<Image> image = FindImage(client, *search, request.region);
    if (!image.ok()) return image.status();
    choice.image = *image;
    choice.why = search->what + " (" + needs->source + ")";
  }
  Result<int> root = RootVolumeGb(request.disk_size_gb, choice.image);
  if (!root.ok()) return root.status();
  choice.root_volume_gb = *root;
  choice.login_user = request.ssh_user.empty() ? LoginUserOf(choice.image) : request.ssh_user;
  choice.python_env = PythonEnvOf(choice.image);
  return choice;
}

Result<std::string> AwsCloud::DescribeImageChoice(const LaunchRequest& request) {
  LaunchRequest located = request;
  if (located.region.empty()) located.region = config_.region;
  Result<Region*> r = ForRegion(located.region);
  if (!r.ok()) return r.status();
  Result<ImageChoice> choice = ChooseImage(*(*r)->client, located);
  if (!choice.ok()) return choice.status();
  return DescribeChoice(*choice);
}

}  // namespace spotrun::aws
