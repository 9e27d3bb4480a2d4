// Ec2Client calls on instances: run, describe, terminate, console output.
#include <cstdio>
#include <cstdlib>

#include "cloud/aws/aws_time.h"
#include "cloud/aws/ec2_client.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

// "0.5" for 0.5, "1.234" for 1.234: at most five decimals, no trailing zeros.
std::string FormatPrice(double usd) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.5f", usd);
  std::string text = buffer;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

Ec2Instance ParseInstance(const XmlNode& item) {
  Ec2Instance instance;
  instance.instance_id = item.Text("instanceId");
  instance.image_id = item.Text("imageId");
  instance.instance_type = item.Text("instanceType");
  instance.state = item.Text("instanceState/name");
  instance.state_code = std::atoi(item.Text("instanceState/code").c_str()) & 0xff;
  instance.availability_zone = item.Text("placement/availabilityZone");
  instance.private_ip = item.Text("privateIpAddress");
  instance.public_ip = item.Text("ipAddress");
  instance.public_dns = item.Text("dnsName");
  instance.key_name = item.Text("keyName");
  instance.lifecycle = item.Text("instanceLifecycle");
  instance.spot_request_id = item.Text("spotInstanceRequestId");
  instance.state_reason_code = item.Text("stateReason/code");
  instance.state_reason_message = item.Text("stateReason/message");
  instance.launch_time = ParseRfc3339(item.Text("launchTime")).value_or(0);
  for (const XmlNode* group : item.Items("groupSet")) {
    instance.security_group_ids.push_back(group->Text("groupId"));
  }
  instance.subnet_id = item.Text("subnetId");
  instance.vpc_id = item.Text("vpcId");
  for (const XmlNode* tag : item.Items("tagSet"))
    instance.tags[tag->Text("key")] = tag->Text("value");
  return instance;
}

}  // namespace

QueryParams Ec2Client::RunInstancesParams(const RunInstancesRequest& r,
                                          const std::string& client_token) {
  QueryParams params("RunInstances");
  params.Add("ImageId", r.image_id);
  params.Add("InstanceType", r.instance_type);
  params.Add("MinCount", std::to_string(r.count));
  params.Add("MaxCount", std::to_string(r.count));
  params.AddIfSet("KeyName", r.key_name);
  params.AddList("SecurityGroupId", r.security_group_ids);
  params.AddIfSet("SubnetId", r.subnet_id);
  params.AddIfSet("Placement.AvailabilityZone", r.availability_zone);
  if (r.root_volume_gb > 0) {
    params.Add("BlockDeviceMapping.1.DeviceName", r.root_device_name);
    params.Add("BlockDeviceMapping.1.Ebs.VolumeSize", std::to_string(r.root_volume_gb));
    params.Add("BlockDeviceMapping.1.Ebs.VolumeType", r.volume_type);
    params.Add("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
  }
  if (r.spot) {
    params.Add("InstanceMarketOptions.MarketType", "spot");
    if (r.max_price > 0)
      params.Add("InstanceMarketOptions.SpotOptions.MaxPrice", FormatPrice(r.max_price));
    params.Add("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
    params.Add("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
  }
  params.AddTagSpecifications({"instance", "volume"}, r.tags);
  if (!r.user_data.empty()) params.Add("UserData", Base64Encode(r.user_data));
  params.Add("ClientToken", client_token);
  params.Add("InstanceInitiatedShutdownBehavior", r.terminate_on_shutdown ? "terminate" : "stop");
  params.AddIfSet("IamInstanceProfile.Name", r.iam_instance_profile);
  if (r.require_imdsv2) {
    params.Add("MetadataOptions.HttpTokens", "required");
    params.Add("MetadataOptions.HttpEndpoint", "enabled");
  }
  return params;
}

Result<std::vector<Ec2Instance>> Ec2Client::RunInstances(const RunInstancesRequest& request) {
  if (request.image_id.empty() || request.instance_type.empty() || request.count < 1) {
    return InvalidArgument(
        "ec2 RunInstances: an image, an instance type and a count >= 1 are required");
  }
  std::string token = request.client_token.empty() ? NewClientToken() : request.client_token;
  Result<XmlNode> root = Call(RunInstancesParams(request, token));
  if (!root.ok()) return root.status();
  std::vector<Ec2Instance> instances;
  for (const XmlNode* item : root->Items("instancesSet")) instances.push_back(ParseInstance(*item));
  if (instances.empty()) return Internal("ec2 RunInstances: the answer lists no instance");
  return instances;
}

Result<std::vector<Ec2Instance>> Ec2Client::DescribeInstances(
    const DescribeInstancesRequest& request) {
  QueryParams params("DescribeInstances");
  params.AddList("InstanceId", request.instance_ids);
  params.AddFilters(request.filters);
  std::vector<Ec2Instance> instances;
  Status status = CallPaged(params, [&](const XmlNode& root) {
    for (const XmlNode* reservation : root.Items("reservationSet")) {
      for (const XmlNode* item : reservation->Items("instancesSet")) {
        instances.push_back(ParseInstance(*item));
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return instances;
}

Result<std::vector<InstanceStateChange>> Ec2Client::TerminateInstances(
    const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<InstanceStateChange>();
  QueryParams params("TerminateInstances");
  params.AddList("InstanceId", ids);
  Result<XmlNode> root = Call(params);
  if (!root.ok()) return root.status();
  std::vector<InstanceStateChange> changes;
  for (const XmlNode* item : root->Items("instancesSet")) {
    changes.push_back({item->Text("instanceId"), item->Text("previousState/name"),
                       item->Text("currentState/name")});
  }
  return changes;
}

Result<ConsoleOutput> Ec2Client::GetConsoleOutput(const std::string& instance_id, bool latest) {
  QueryParams params("GetConsoleOutput");
  params.Add("InstanceId", instance_id);
  if (latest) params.Add("Latest", "true");
  Result<XmlNode> root = Call(params);
  if (!root.ok()) return root.status();
  ConsoleOutput console;
  console.instance_id = root->Text("instanceId");
  console.timestamp = ParseRfc3339(root->Text("timestamp")).value_or(0);
  std::optional<std::string> decoded = Base64Decode(root->Text("output"));
  if (!decoded) return Internal("ec2 GetConsoleOutput: the output is not base64");
  console.output = std::move(*decoded);
  return console;
}

}  // namespace spotrun::aws
