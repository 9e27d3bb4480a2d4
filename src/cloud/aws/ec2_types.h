// Value types of the EC2 calls spotrun makes (requests and results of
// Ec2Client). Field comments give the wire names they map to.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cloud/aws/ec2_query.h"

namespace spotrun::aws {

using Tags = std::map<std::string, std::string>;

struct SpotPriceQuery {
  std::vector<std::string> instance_types;                         // InstanceType.N
  std::vector<std::string> product_descriptions = {"Linux/UNIX"};  // ProductDescription.N
  std::string availability_zone;                                   // "" = all zones
  double start_time = 0;  // Epoch seconds; 0 = only the current price per pool.
  int max_results = 0;    // Page size; 0 = the service default.
};

struct SpotPrice {
  std::string instance_type;
  std::string availability_zone;    // "us-east-1a"
  std::string product_description;  // "Linux/UNIX"
  std::string price;                // Decimal string as sent ("0.402100").
  double price_usd = 0;             // The same, parsed.
  double timestamp = 0;             // Epoch seconds.
};

struct InstanceTypeInfo {
  std::string instance_type;
  int vcpus = 0;
  long memory_mib = 0;
  std::string gpu_name;          // "A10G"; "" without GPUs.
  std::string gpu_manufacturer;  // "NVIDIA"
  int gpu_count = 0;
  long gpu_memory_mib = 0;                 // Total over all GPUs.
  std::vector<std::string> usage_classes;  // "on-demand", "spot"
  std::vector<std::string> architectures;  // "x86_64", "arm64"
  // AWS Inferentia/Trainium devices (neuronInfo, else inferenceAcceleratorInfo).
  std::string neuron_name;  // "Inferentia2", "Trainium"; "" without.
  int neuron_count = 0;
};

struct ImageQuery {
  std::vector<std::string> owners;     // Owner.N: "099720109477", "amazon", "self"
  std::vector<std::string> image_ids;  // ImageId.N
  std::vector<Ec2Filter> filters;      // Filter.N: name, state, architecture...
};

struct Image {
  std::string image_id;
  std::string name;
  std::string owner_id;
  std::string state;             // "available"
  std::string architecture;      // "x86_64"
  std::string root_device_name;  // "/dev/sda1"
  int root_volume_gb = 0;        // Size of the root snapshot; 0 if unknown.
  std::string creation_date;     // RFC 3339 as sent; sorts by time.
  std::string description;
};

struct AvailabilityZone {
  std::string name;     // "us-east-1a"
  std::string zone_id;  // "use1-az1"
  std::string state;    // "available"
  std::string region;
};

struct KeyPair {
  std::string key_name;
  std::string key_pair_id;
  std::string fingerprint;
  std::string key_material;  // Private key (CreateKeyPair only). Secret: never log it.
  Tags tags;
};

struct SecurityGroup {
  std::string group_id;
  std::string group_name;
  std::string description;
  std::string vpc_id;
  Tags tags;
};

// One IpPermissions entry: TCP/UDP ports open to IPv4 ranges.
struct IngressRule {
  std::string protocol = "tcp";
  int from_port = 22;
  int to_port = 22;
  std::vector<std::string> cidrs;  // "203.0.113.7/32"
  std::string description;         // Applied to every range.
};

struct RunInstancesRequest {
  std::string image_id;
  std::string instance_type;
  int count = 1;  // MinCount = MaxCount.
  std::string key_name;
  std::vector<std::string> security_group_ids;
  std::string subnet_id;
  std::string availability_zone;  // Placement.AvailabilityZone; "" = EC2 picks.
  bool spot = true;        // InstanceMarketOptions spot, one-time, terminate on interruption.
  double max_price = 0;    // USD/hour; 0 = capped at the on-demand price.
  int root_volume_gb = 0;  // 0 = the image's default size.
  std::string root_device_name = "/dev/sda1";  // Must match the image's.
  std::string volume_type = "gp3";
  Tags tags;              // On the instance and its volumes.
  std::string user_data;  // Raw script; sent base64-encoded.
  // Idempotency token, reused on every retry; "" = the client makes one.
  std::string client_token;
  bool terminate_on_shutdown = true;  // InstanceInitiatedShutdownBehavior.
  std::string iam_instance_profile;   // IamInstanceProfile.Name; "" = none.
  bool require_imdsv2 = true;         // MetadataOptions.HttpTokens=required.
};

struct Ec2Instance {
  std::string instance_id;
  std::string image_id;
  std::string instance_type;
  std::string state;  // pending, running, shutting-down, terminated, stopping, stopped
  int state_code = 0;
  std::string availability_zone;
  std::string private_ip;
  std::string public_ip;   // ipAddress; often "" right after launch.
  std::string public_dns;  // dnsName
  std::string key_name;
  std::string lifecycle;  // "spot", or "" for on-demand.
  std::string spot_request_id;
  std::string state_reason_code;  // "Server.SpotInstanceTermination"
  std::string state_reason_message;
  double launch_time = 0;  // Epoch seconds.
  std::vector<std::string> security_group_ids;
  std::string subnet_id;
  std::string vpc_id;
  Tags tags;
};

struct DescribeInstancesRequest {
  std::vector<std::string> instance_ids;  // InstanceId.N
  std::vector<Ec2Filter> filters;         // Filter.N
};

struct InstanceStateChange {
  std::string instance_id;
  std::string previous_state;
  std::string current_state;
};

struct ConsoleOutput {
  std::string instance_id;
  double timestamp = 0;
  std::string output;  // Decoded; "" until the instance has logged to its console.
};

}  // namespace spotrun::aws
