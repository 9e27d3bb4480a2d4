// AwsCloud: the Cloud seam (cloud/cloud.h) on EC2, through one Ec2Client per
// region. Offers are the bundled catalog's, with spot prices refreshed from
// DescribeSpotPriceHistory. Launch gives each job its own key pair and a
// security group that opens TCP 22 to one configured CIDR only (never to the
// whole internet), then runs a one-time spot (or on-demand) instance with the
// job's tags on the instance and its volume. Terminate deletes the job's key
// pair and group once the instance is terminated and no other instance uses
// them; a call that finds the instance still shutting down leaves them to a
// later call (terminating again is cheap and succeeds).
//
// With options.ssh set, each job logs in with its own key (remote/job_ssh.h),
// which Launch imports as the job's key pair, and HostFor gives an SshHost to
// the instance's public address (or SPOTRUN_SSH_TARGET). Instances boot with
// a bootstrap (BootstrapFor) that installs python3 and rsync; the first
// SSH operation waits for both. The image is chosen per instance type
// (ChooseImage); its login user and Python environment are tagged on the
// instance (kTagSshUser, kTagPythonEnv), so that HostFor finds them later.
//
// Instance ids carry no region: ids launched or listed by this object are
// remembered with their region; any other id is looked up in the default
// region. ListTagged searches every region this object has used. A
// terminated instance's end_time is when this object first saw it terminated
// (EC2 reports no exact time). price_per_hour comes from the last Offers.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cloud/aws/aws_config.h"
#include "cloud/aws/ec2_client.h"
#include "cloud/aws/image_choice.h"
#include "cloud/aws/price_list.h"
#include "cloud/cloud.h"
#include "remote/job_ssh.h"

namespace spotrun::aws {

struct AwsCloudOptions {
  // The only source allowed to reach port 22, e.g. "203.0.113.7/32". Required
  // for Launch unless find_ssh_cidr is set; a range matching every address
  // ("0.0.0.0/0", "::/0") is refused.
  std::string ssh_cidr;
  // Called once, at the first Launch, when ssh_cidr is empty (e.g. the
  // caller's public address as a /32, see public_address.h).
  std::function<Result<std::string>()> find_ssh_cidr;
  // SSH to the instances. When ssh.jobs_dir is set, each job's own key is
  // imported as its key pair (ssh_public_key and key_dir are unused; Launch
  // then needs the spotrun:job-id tag) and HostFor gives SshHosts.
  JobSshSettings ssh;
  // Login user when an instance carries no kTagSshUser (launched before it existed).
  std::string ssh_user = "ubuntu";
  double ssh_ready_timeout_s = 600;  // Boot and bootstrap time allowed to the first SSH operation.
  // Value of the spotrun:owner tag put on every resource Launch creates;
  // SweepOwned removes only resources carrying it. "" = no owner tag.
  std::string owner;
  // OpenSSH public key line imported as each job's key pair; when empty, EC2
  // creates the key pair and its private key is written to key_dir.
  std::string ssh_public_key;
  // Directory for created private keys, "<key name>.pem", mode 0600.
  std::string key_dir;
  std::string iam_instance_profile;  // Instance profile name; "" = none.
  // On-demand prices of types the catalog lacks (GetProducts); null = none
  // (their on-demand price is unknown).
  std::shared_ptr<PriceListClient> price_list;
  // Retry tuning for every region's client (endpoint and region are set per
  // region; max_attempts defaults to AwsConfig::max_attempts when set).
  Ec2ClientOptions client;
};

class AwsCloud : public Cloud {
 public:
  // `http` and `clock` are not owned and must outlive the cloud. `catalog` is
  // the offers to refresh (normally Catalog::Bundled().offers()).
  AwsCloud(AwsConfig config, HttpClient* http, Clock* clock, std::vector<Offer> catalog,
           AwsCloudOptions options);

  std::string Name() const override { return "aws"; }
  std::string DefaultRegion() const override { return config_.region; }
  Result<std::vector<Offer>> Offers(const std::string& region) override;
  // The default region, then every other region of the catalog.
  std::vector<std::string> Regions() const override { return catalog_regions_; }
  // Offers of each region on its own thread (the regions' clients are
  // independent, and Ec2Client, HttpClient and the credentials are safe to
  // use from several threads); the first failing region (in `regions`
  // order) fails the call. A named type the catalog lacks in a region gets
  // offers there when EC2 knows it (NamedOffers).
  Result<std::vector<Offer>> OffersIn(const std::vector<std::string>& regions,
                                      const std::vector<std::string>& named_types) override;
  // From DescribeInstanceTypes (every type of each region, asked once and
  // remembered), the types the catalog lacks.
  Result<std::vector<std::string>> TypesBeyondCatalog(const std::vector<std::string>& regions,
                                                      const std::function<bool(const Offer&)>& fits,
                                                      size_t most) override;
  Result<Instance> Launch(const LaunchRequest& request) override;
  Result<Instance> Describe(const std::string& instance_id) override;
  Status Terminate(const std::string& instance_id) override;
  Result<std::vector<Instance>> ListTagged(const std::map<std::string, std::string>& tags) override;
  // An SshHost to the instance's address as options.ssh_user with the key of
  // its spotrun:job-id; kInternal without options.ssh, kUnavailable while the
  // instance has no address (and no SPOTRUN_SSH_TARGET).
  Result<std::unique_ptr<Host>> HostFor(const Instance& instance) override;
  // Shutting down (the Cloud default), except with SPOTRUN_SSH_TARGET
  // (options.ssh.target): the machine there may not be the instance, so the
  // agent's dead man's switch only says why it does not act (the controller
  // or the orphan sweep still ends the instance).
  std::string SelfTerminateCommand(const Instance& instance) const override;
  // DescribeChoice of ChooseImage, in the request's region.
  Result<std::string> DescribeImageChoice(const LaunchRequest& request) override;
  Status ReleaseJob(const std::string& job_id) override;

  // Fails like the first call of a launch would (credentials, permissions,
  // endpoint), by listing the zones of `region`; succeeds otherwise.
  Status CheckAccess(const std::string& region);
  // Removes what this owner's jobs left behind in `regions` and every region
  // this object has used (aws_cloud_sweep.cc): instances, key pairs and
  // security groups tagged spotrun:managed-by=spotrun and
  // spotrun:owner=options.owner whose spotrun:job-id `job_over` says is over
  // (or that carry none); `job_over` also gets the instance's launch time (0
  // for a key pair or security group). Instances are terminated first; a group still in
  // use by a shutting-down instance is left to a later sweep. Returns one line
  // per thing removed. REQUIRES: options.owner is set.
  Result<std::vector<std::string>> SweepOwned(
      const std::vector<std::string>& regions,
      const std::function<bool(const std::string& job_id, double launch_time)>& job_over);

 private:
  struct Region {
    std::unique_ptr<Ec2Client> client;
    std::map<std::string, std::string> zone_ids;  // "us-east-1a" -> "use1-az1".
  };
  // The client of `region`, created on first use (zone names are loaded then,
  // without holding mu_).
  Result<Region*> ForRegion(const std::string& region);
  // Offers in `region` for those of `types` the catalog lacks there
  // (aws_cloud_types.cc): the shape from DescribeInstanceTypes (a type EC2
  // does not know is left out), one offer per zone with a spot price
  // (DescribeSpotPriceHistory), else one on-demand offer in no particular
  // zone; the on-demand price from the price list (options.price_list),
  // else unknown (< 0).
  Result<std::vector<Offer>> NamedOffers(Region& r, const std::string& region,
                                         const std::vector<std::string>& types);
  // The on-demand price of `type` in `region`: the catalog's, else the price
  // list's (remembered), else < 0.
  double OnDemandPriceOf(const std::string& type, const std::string& region);
  std::string RegionOf(const std::string& instance_id);
  Instance ToInstance(const Ec2Instance& ec2, const std::string& region, const Region& r);
  // The image of `request` (aws_cloud_image.cc, rules in image_choice.h):
  // its own, else the one for its instance type, described by
  // DescribeInstanceTypes or, when EC2 does not know the type, the catalog.
  Result<ImageChoice> ChooseImage(Ec2Client& client, const LaunchRequest& request);
  Result<TypeNeeds> NeedsOf(Ec2Client& client, const std::string& instance_type);
  Result<Image> ImageById(Ec2Client& client, const LaunchRequest& request, const TypeNeeds& needs);
  Result<Image> FindImage(Ec2Client& client, const ImageSearch& search, const std::string& region);
  // Key pair and security group of a job (aws_cloud_access.cc).
  // `public_key` "" = the key_dir mode.
  Result<std::string> EnsureKeyPair(Ec2Client& client, const std::string& name, const Tags& tags,
                                    const std::string& public_key);
  Result<std::string> EnsureSecurityGroup(Ec2Client& client, const std::string& name,
                                          const Tags& tags, const std::string& cidr,
                                          const std::vector<std::pair<int, int>>& ports = {});
  // The checked SSH source range, found once when not configured (aws_cloud_ssh.cc).
  Result<std::string> SshCidr();
  // The key line to import for `request`'s job, "" for the key_dir mode.
  Result<std::string> PublicKeyFor(const LaunchRequest& request);
  Status SweepRegion(const std::string& region,
                     const std::function<bool(const std::string&, double)>& job_over,
                     std::vector<std::string>* removed);
  // Deletes the key pair `gone` was launched with and its groups, once no
  // other instance uses them.
  Status CleanUpJob(Ec2Client& client, const Ec2Instance& gone);
  // Deletes key pair `key_name` and the spotrun groups among `group_ids`
  // unless an instance other than `except_instance` still uses the pair. A
  // pair already gone is not an error.
  Status ReleaseUnused(Ec2Client& client, const std::string& key_name,
                       const std::vector<std::string>& group_ids,
                       const std::string& except_instance);

  AwsConfig config_;
  HttpClient* http_;
  Clock* clock_;
  std::vector<Offer> catalog_;
  std::vector<std::string> catalog_regions_;  // Regions(), fixed at construction.
  AwsCloudOptions options_;
  std::mutex mu_;
  std::mutex cidr_mu_;  // Guards options_.ssh_cidr while it is looked up.
  std::map<std::string, Region> regions_;
  std::map<std::string, std::string> instance_regions_;
  std::map<std::pair<std::string, std::string>, double> list_prices_;  // (type, region) -> USD/h.
  std::map<std::string, std::vector<Offer>> region_types_;  // Every type's shape, by region.
};

// cloud-init user data that makes sure python3 (the agent) and rsync (file
// transfers) are installed (apt, dnf or yum, retried while the package
// manager is busy at boot), used when a launch brings no user data of its own;
// kBootstrapReady exits 0 once they are.
extern const char kInstanceBootstrap[];
extern const char kBootstrapReady[];

// kInstanceBootstrap, plus on an image with a Python environment (`python_env`
// not "") wrappers in /usr/local/bin that make python, python3, pip, pip3 and
// torchrun that environment's in every shell, and a marker that ReadyCommand
// waits for.
std::string BootstrapFor(const std::string& python_env);
// What the first SSH operation waits for on an instance launched with
// BootstrapFor(python_env).
std::string ReadyCommand(const std::string& python_env);

// Instance tags with what the image implies: its login user, and the Python
// environment the bootstrap set up ("" = none, tag absent).
inline constexpr const char* kTagSshUser = "spotrun:ssh-user";
inline constexpr const char* kTagPythonEnv = "spotrun:python-env";

// The name of a job's key pair and security group: "spotrun-<job id>", or
// "spotrun-<client token>" when the tags carry no job id.
std::string JobResourceName(const LaunchRequest& request);

}  // namespace spotrun::aws
