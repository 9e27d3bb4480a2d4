// AwsCloud's per-job access resources: the key pair and the security group,
// made at launch and deleted when the job's last instance is gone.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "cloud/aws/aws_cloud.h"

namespace spotrun::aws {
namespace {

Status WritePrivateKey(const std::string& path, const std::string& material) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("aws: cannot write the private key " + path);
  bool ok = write(fd, material.data(), material.size()) == ssize_t(material.size());
  ok = (close(fd) == 0) && ok;
  return ok ? Status::Ok() : Internal("aws: cannot write the private key " + path);
}

}  // namespace

Result<std::string> AwsCloud::EnsureKeyPair(Ec2Client& client, const std::string& name,
                                            const Tags& tags, const std::string& public_key) {
  Result<std::vector<KeyPair>> existing = client.DescribeKeyPairs({{"key-name", {name}}});
  if (!existing.ok()) return existing.status();
  if (!public_key.empty()) {
    if (!existing->empty()) return name;
    Result<KeyPair> imported = client.ImportKeyPair(name, public_key, tags);
    if (!imported.ok()) return imported.status();
    return name;
  }
  if (options_.key_dir.empty()) {
    return InvalidArgument(
        "aws: give an SSH public key to import, or a directory for the "
        "private keys EC2 creates");
  }
  std::string path = options_.key_dir + "/" + name + ".pem";
  if (!existing->empty() && std::filesystem::exists(path)) return name;
  SPOTRUN_RETURN_IF_ERROR(client.DeleteKeyPair(name));  // A pair whose private key was lost.
  Result<KeyPair> created = client.CreateKeyPair(name, tags);
  if (!created.ok()) return created.status();
  SPOTRUN_RETURN_IF_ERROR(WritePrivateKey(path, created->key_material));
  return name;
}

Result<std::string> AwsCloud::EnsureSecurityGroup(Ec2Client& client, const std::string& name,
                                                  const Tags& tags, const std::string& cidr,
                                                  const std::vector<std::pair<int, int>>& ports) {
  Result<std::vector<SecurityGroup>> existing =
      client.DescribeSecurityGroups({{"group-name", {name}}});
  if (!existing.ok()) return existing.status();
  std::string group_id;
  if (!existing->empty()) {
    group_id = existing->front().group_id;
  } else {
    Result<std::string> created =
        client.CreateSecurityGroup(name, "spotrun: SSH for " + name, "", tags);
    if (!created.ok()) return created.status();
    group_id = *created;
  }
  IngressRule ssh;
  ssh.cidrs = {cidr};
  ssh.description = "spotrun ssh";
  std::vector<IngressRule> rules = {ssh};
  for (const auto& [first, last] : ports) {  // The job's resources.ports, for the same address.
    IngressRule port = ssh;
    port.from_port = first;
    port.to_port = last;
    port.description = "spotrun job port";
    rules.push_back(port);
  }
  SPOTRUN_RETURN_IF_ERROR(client.AuthorizeSecurityGroupIngress(group_id, rules));
  return group_id;
}

Status AwsCloud::CleanUpJob(Ec2Client& client, const Ec2Instance& gone) {
  if (gone.tags.count(kTagManagedBy) == 0 || gone.key_name.rfind("spotrun-", 0) != 0) {
    return Status::Ok();  // Not launched by spotrun: leave its resources alone.
  }
  return ReleaseUnused(client, gone.key_name, gone.security_group_ids, gone.instance_id);
}

Status AwsCloud::ReleaseUnused(Ec2Client& client, const std::string& key_name,
                               const std::vector<std::string>& group_ids,
                               const std::string& except_instance) {
  Result<std::vector<Ec2Instance>> others = client.DescribeInstances(
      {{},
       {{"key-name", {key_name}},
        {"instance-state-name", {"pending", "running", "shutting-down", "stopping", "stopped"}}}});
  if (!others.ok()) return others.status();
  for (const Ec2Instance& other : *others) {
    if (other.instance_id != except_instance) return Status::Ok();  // Still in use.
  }
  if (!group_ids.empty()) {
    Result<std::vector<SecurityGroup>> groups = client.DescribeSecurityGroups(
        {{"group-id", group_ids}, {"tag:" + std::string(kTagManagedBy), {"spotrun"}}});
    if (!groups.ok()) return groups.status();
    for (const SecurityGroup& group : *groups) {
      SPOTRUN_RETURN_IF_ERROR(client.DeleteSecurityGroup(group.group_id));
    }
  }
  Status deleted = client.DeleteKeyPair(key_name);
  if (!deleted.ok() && deleted.code() != Code::kNotFound) return deleted;
  if (!options_.key_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove(options_.key_dir + "/" + key_name + ".pem", ignored);
  }
  return Status::Ok();
}

Status AwsCloud::ReleaseJob(const std::string& job_id) {
  LaunchRequest named;
  named.tags[kTagJobId] = job_id;
  const std::string name = JobResourceName(named);
  std::vector<std::string> regions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& entry : regions_) regions.push_back(entry.first);
  }
  Status first = Status::Ok();
  for (const std::string& region : regions) {
    Result<Region*> r = ForRegion(region);
    if (!r.ok()) return r.status();
    Ec2Client& client = *(*r)->client;
    // The job's groups, by its tag (a group's name is only unique per VPC).
    Result<std::vector<SecurityGroup>> groups =
        client.DescribeSecurityGroups({{"tag:" + std::string(kTagJobId), {job_id}},
                                       {"tag:" + std::string(kTagManagedBy), {"spotrun"}}});
    if (!groups.ok()) return groups.status();
    std::vector<std::string> group_ids;
    for (const SecurityGroup& g : *groups) group_ids.push_back(g.group_id);
    Status released = ReleaseUnused(client, name, group_ids, "");
    if (first.ok()) first = released;
  }
  return first;
}

}  // namespace spotrun::aws
