// Ec2Client calls that read the market: spot prices, instance types, images
// and availability zones.
#include <cstdlib>

#include "cloud/aws/aws_time.h"
#include "cloud/aws/ec2_client.h"

namespace spotrun::aws {
namespace {

long ToLong(const std::string& text) { return std::strtol(text.c_str(), nullptr, 10); }

std::vector<std::string> ItemTexts(const XmlNode& node, std::string_view list) {
  std::vector<std::string> out;
  for (const XmlNode* item : node.Items(list)) out.push_back(item->Text(""));
  return out;
}

InstanceTypeInfo ParseInstanceType(const XmlNode& item) {
  InstanceTypeInfo info;
  info.instance_type = item.Text("instanceType");
  info.vcpus = int(ToLong(item.Text("vCpuInfo/defaultVCpus")));
  info.memory_mib = ToLong(item.Text("memoryInfo/sizeInMiB"));
  info.usage_classes = ItemTexts(item, "supportedUsageClasses");
  info.architectures = ItemTexts(item, "processorInfo/supportedArchitectures");
  for (const XmlNode* gpu : item.Items("gpuInfo/gpus")) {
    info.gpu_name = gpu->Text("name");
    info.gpu_manufacturer = gpu->Text("manufacturer");
    info.gpu_count += int(ToLong(gpu->Text("count")));
  }
  info.gpu_memory_mib = ToLong(item.Text("gpuInfo/totalGpuMemoryInMiB"));
  std::vector<const XmlNode*> neurons = item.Items("neuronInfo/neuronDevices");
  if (neurons.empty()) neurons = item.Items("inferenceAcceleratorInfo/accelerators");
  for (const XmlNode* device : neurons) {
    info.neuron_name = device->Text("name");
    info.neuron_count += int(ToLong(device->Text("count")));
  }
  return info;
}

Image ParseImage(const XmlNode& item) {
  Image image;
  image.image_id = item.Text("imageId");
  image.name = item.Text("name");
  image.owner_id = item.Text("imageOwnerId");
  image.state = item.Text("imageState");
  image.architecture = item.Text("architecture");
  image.root_device_name = item.Text("rootDeviceName");
  image.creation_date = item.Text("creationDate");
  image.description = item.Text("description");
  for (const XmlNode* mapping : item.Items("blockDeviceMapping")) {
    if (mapping->Text("deviceName") == image.root_device_name) {
      image.root_volume_gb = int(ToLong(mapping->Text("ebs/volumeSize")));
    }
  }
  return image;
}

}  // namespace

Result<std::vector<SpotPrice>> Ec2Client::DescribeSpotPriceHistory(const SpotPriceQuery& query) {
  QueryParams params("DescribeSpotPriceHistory");
  params.AddList("InstanceType", query.instance_types);
  params.AddList("ProductDescription", query.product_descriptions);
  params.AddIfSet("AvailabilityZone", query.availability_zone);
  if (query.start_time > 0) params.Add("StartTime", FormatRfc3339(query.start_time));
  if (query.max_results > 0) params.Add("MaxResults", std::to_string(query.max_results));
  std::vector<SpotPrice> prices;
  Status status = CallPaged(params, [&](const XmlNode& root) {
    for (const XmlNode* item : root.Items("spotPriceHistorySet")) {
      SpotPrice price;
      price.instance_type = item->Text("instanceType");
      price.availability_zone = item->Text("availabilityZone");
      price.product_description = item->Text("productDescription");
      price.price = item->Text("spotPrice");
      price.price_usd = std::strtod(price.price.c_str(), nullptr);
      price.timestamp = ParseRfc3339(item->Text("timestamp")).value_or(0);
      prices.push_back(std::move(price));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return prices;
}

Result<std::vector<InstanceTypeInfo>> Ec2Client::DescribeInstanceTypes(
    const std::vector<std::string>& types) {
  QueryParams params("DescribeInstanceTypes");
  params.AddList("InstanceType", types);
  std::vector<InstanceTypeInfo> infos;
  Status status = CallPaged(params, [&](const XmlNode& root) {
    for (const XmlNode* item : root.Items("instanceTypeSet"))
      infos.push_back(ParseInstanceType(*item));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return infos;
}

Result<std::vector<Image>> Ec2Client::DescribeImages(const ImageQuery& query) {
  QueryParams params("DescribeImages");
  params.AddList("Owner", query.owners);
  params.AddList("ImageId", query.image_ids);
  params.AddFilters(query.filters);
  std::vector<Image> images;
  Status status = CallPaged(params, [&](const XmlNode& root) {
    for (const XmlNode* item : root.Items("imagesSet")) images.push_back(ParseImage(*item));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return images;
}

Result<std::vector<AvailabilityZone>> Ec2Client::DescribeAvailabilityZones() {
  Result<XmlNode> root = Call(QueryParams("DescribeAvailabilityZones"));
  if (!root.ok()) return root.status();
  std::vector<AvailabilityZone> zones;
  for (const XmlNode* item : root->Items("availabilityZoneInfo")) {
    zones.push_back({item->Text("zoneName"), item->Text("zoneId"), item->Text("zoneState"),
                     item->Text("regionName")});
  }
  return zones;
}

}  // namespace spotrun::aws
