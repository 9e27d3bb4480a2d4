// Ec2Client calls for access control: key pairs and security groups.
#include "cloud/aws/ec2_client.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

Tags ParseTags(const XmlNode& node) {
  Tags tags;
  for (const XmlNode* item : node.Items("tagSet")) tags[item->Text("key")] = item->Text("value");
  return tags;
}

KeyPair ParseKeyPair(const XmlNode& node) {
  KeyPair key;
  key.key_name = node.Text("keyName");
  key.key_pair_id = node.Text("keyPairId");
  key.fingerprint = node.Text("keyFingerprint");
  key.key_material = node.Text("keyMaterial");
  key.tags = ParseTags(node);
  return key;
}

}  // namespace

Result<KeyPair> Ec2Client::CreateKeyPair(const std::string& name, const Tags& tags) {
  QueryParams params("CreateKeyPair");
  params.Add("KeyName", name);
  params.Add("KeyType", "ed25519");
  params.AddTagSpecifications({"key-pair"}, tags);
  Result<XmlNode> root = Call(params);
  if (!root.ok()) return root.status();
  return ParseKeyPair(*root);
}

Result<KeyPair> Ec2Client::ImportKeyPair(const std::string& name, const std::string& public_key,
                                         const Tags& tags) {
  QueryParams params("ImportKeyPair");
  params.Add("KeyName", name);
  params.Add("PublicKeyMaterial", Base64Encode(public_key));
  params.AddTagSpecifications({"key-pair"}, tags);
  Result<XmlNode> root = Call(params);
  if (!root.ok()) return root.status();
  return ParseKeyPair(*root);
}

Status Ec2Client::DeleteKeyPair(const std::string& name) {
  QueryParams params("DeleteKeyPair");
  params.Add("KeyName", name);
  AwsError error;
  Result<XmlNode> root = Call(params, &error);
  if (!root.ok() && error.code != "InvalidKeyPair.NotFound") return root.status();
  return Status::Ok();
}

Result<std::vector<KeyPair>> Ec2Client::DescribeKeyPairs(const std::vector<Ec2Filter>& filters) {
  QueryParams params("DescribeKeyPairs");
  params.AddFilters(filters);
  Result<XmlNode> root = Call(params);
  if (!root.ok()) return root.status();
  std::vector<KeyPair> keys;
  for (const XmlNode* item : root->Items("keySet")) keys.push_back(ParseKeyPair(*item));
  return keys;
}

Result<std::string> Ec2Client::CreateSecurityGroup(const std::string& name,
                                                   const std::string& description,
                                                   const std::string& vpc_id, const Tags& tags) {
  QueryParams params("CreateSecurityGroup");
  params.Add("GroupName", name);
  params.Add("GroupDescription", description);
  params.AddIfSet("VpcId", vpc_id);
  params.AddTagSpecifications({"security-group"}, tags);
  Result<XmlNode> root = Call(params);
  if (!root.ok()) return root.status();
  std::string id = root->Text("groupId");
  if (id.empty()) return Internal("ec2 CreateSecurityGroup: the answer has no groupId");
  return id;
}

Status Ec2Client::AuthorizeSecurityGroupIngress(const std::string& group_id,
                                                const std::vector<IngressRule>& rules) {
  QueryParams params("AuthorizeSecurityGroupIngress");
  params.Add("GroupId", group_id);
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string p = "IpPermissions." + std::to_string(i + 1);
    params.Add(p + ".IpProtocol", rules[i].protocol);
    params.Add(p + ".FromPort", std::to_string(rules[i].from_port));
    params.Add(p + ".ToPort", std::to_string(rules[i].to_port));
    for (size_t j = 0; j < rules[i].cidrs.size(); ++j) {
      std::string range = p + ".IpRanges." + std::to_string(j + 1);
      params.Add(range + ".CidrIp", rules[i].cidrs[j]);
      params.AddIfSet(range + ".Description", rules[i].description);
    }
  }
  AwsError error;
  Result<XmlNode> root = Call(params, &error);
  if (!root.ok() && error.code != "InvalidPermission.Duplicate") return root.status();
  return Status::Ok();
}

Status Ec2Client::DeleteSecurityGroup(const std::string& group_id) {
  QueryParams params("DeleteSecurityGroup");
  params.Add("GroupId", group_id);
  AwsError error;
  Result<XmlNode> root = Call(params, &error);
  if (!root.ok() && error.code != "InvalidGroup.NotFound") return root.status();
  return Status::Ok();
}

Result<std::vector<SecurityGroup>> Ec2Client::DescribeSecurityGroups(
    const std::vector<Ec2Filter>& filters) {
  QueryParams params("DescribeSecurityGroups");
  params.AddFilters(filters);
  std::vector<SecurityGroup> groups;
  Status status = CallPaged(params, [&](const XmlNode& root) {
    for (const XmlNode* item : root.Items("securityGroupInfo")) {
      groups.push_back({item->Text("groupId"), item->Text("groupName"),
                        item->Text("groupDescription"), item->Text("vpcId"), ParseTags(*item)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return groups;
}

}  // namespace spotrun::aws
