// AwsCloud::SweepOwned: what this owner's finished or forgotten jobs left in
// EC2 (instances, key pairs, security groups), found by tags and removed.
#include <set>

#include "cloud/aws/aws_cloud.h"

namespace spotrun::aws {
namespace {

std::string JobIdOf(const Tags& tags) {
  auto job = tags.find(kTagJobId);
  return job == tags.end() ? "" : job->second;
}

}  // namespace

Result<std::vector<std::string>> AwsCloud::SweepOwned(
    const std::vector<std::string>& regions,
    const std::function<bool(const std::string& job_id, double launch_time)>& job_over) {
  if (options_.owner.empty()) return Internal("aws: sweeping needs an owner tag");
  std::set<std::string> all(regions.begin(), regions.end());
  all.insert(config_.region);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& entry : regions_) all.insert(entry.first);
  }
  std::vector<std::string> removed;
  for (const std::string& region : all) {
    SPOTRUN_RETURN_IF_ERROR(SweepRegion(region, job_over, &removed));
  }
  return removed;
}

Status AwsCloud::SweepRegion(const std::string& region,
                             const std::function<bool(const std::string&, double)>& job_over,
                             std::vector<std::string>* removed) {
  Result<Region*> r = ForRegion(region);
  if (!r.ok()) return r.status();
  Ec2Client& client = *(*r)->client;
  const std::vector<Ec2Filter> owned = {{"tag:" + std::string(kTagManagedBy), {"spotrun"}},
                                        {"tag:" + std::string(kTagOwner), {options_.owner}}};
  // launch_time 0: a key pair or security group.
  auto over = [&](const Tags& tags, double launch_time = 0) {
    const std::string job = JobIdOf(tags);
    return job.empty() || job_over(job, launch_time);
  };
  DescribeInstancesRequest alive;
  alive.filters = owned;
  alive.filters.push_back(
      {"instance-state-name", {"pending", "running", "shutting-down", "stopping", "stopped"}});
  Result<std::vector<Ec2Instance>> instances = client.DescribeInstances(alive);
  if (!instances.ok()) return instances.status();
  std::set<std::string> live_jobs;  // Jobs whose instances stay.
  std::vector<std::string> doomed;
  for (const Ec2Instance& instance : *instances) {
    if (!over(instance.tags, instance.launch_time)) {
      live_jobs.insert(JobIdOf(instance.tags));
    } else if (instance.state != "shutting-down") {
      doomed.push_back(instance.instance_id);
    }
  }
  if (!doomed.empty()) {
    Result<std::vector<InstanceStateChange>> changed = client.TerminateInstances(doomed);
    if (!changed.ok()) return changed.status();
    for (const std::string& id : doomed) {
      removed->push_back("terminated leftover instance " + id + " (" + region + ")");
    }
  }
  Result<std::vector<SecurityGroup>> groups = client.DescribeSecurityGroups(owned);
  if (!groups.ok()) return groups.status();
  for (const SecurityGroup& group : *groups) {
    if (!over(group.tags) || live_jobs.count(JobIdOf(group.tags))) continue;
    Status deleted = client.DeleteSecurityGroup(group.group_id);
    if (deleted.code() == Code::kUnavailable) continue;  // Its instance is still shutting down.
    SPOTRUN_RETURN_IF_ERROR(deleted);
    removed->push_back("deleted leftover security group " + group.group_id + " (" +
                       group.group_name + ")");
  }
  Result<std::vector<KeyPair>> keys = client.DescribeKeyPairs(owned);
  if (!keys.ok()) return keys.status();
  for (const KeyPair& key : *keys) {
    if (!over(key.tags) || live_jobs.count(JobIdOf(key.tags))) continue;
    SPOTRUN_RETURN_IF_ERROR(client.DeleteKeyPair(key.key_name));
    removed->push_back("deleted leftover key pair " + key.key_name);
  }
  return Status::Ok();
}

}  // namespace spotrun::aws
