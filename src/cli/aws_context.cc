// The aws cloud as the CLI builds it: settings from the environment and the
// shared AWS files, the job's region and SSH source range, an owner tag that
// names this SPOTRUN_HOME, and the sweep of what its jobs left in EC2.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <set>

#include "catalog/catalog.h"
#include "cli/context.h"
#include "cli/orphan_sweep.h"
#include "cloud/aws/aws_cloud.h"
#include "cloud/aws/aws_config.h"
#include "cloud/aws/public_address.h"
#include "cloud/aws/s3_client.h"
#include "cloud/aws/s3_object_store.h"
#include "util/cidr.h"
#include "util/fs.h"

namespace spotrun {
namespace {

constexpr double kSweepInterval = 600;  // Seconds between unasked-for AWS sweeps.

// "user@host:hash of SPOTRUN_HOME": the spotrun:owner tag of this state store.
std::string OwnerTag(const std::string& home) {
  const passwd* pw = getpwuid(getuid());
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  uint32_t h = 2166136261u;  // FNV-1a.
  for (unsigned char c : home) h = (h ^ c) * 16777619u;
  char hash[9];
  snprintf(hash, sizeof hash, "%08x", h);
  return std::string(pw ? pw->pw_name : "user") + "@" + host + ":" + hash;
}

// True when some AWS setting exists, so that talking to AWS may make sense.
bool HasAwsSettings(const std::map<std::string, std::string>& env) {
  auto set = [&](const char* name) {
    auto it = env.find(name);
    return it != env.end() && !it->second.empty();
  };
  if (set("AWS_ACCESS_KEY_ID") || set("AWS_PROFILE") || set("AWS_DEFAULT_PROFILE")) return true;
  auto home = env.find("HOME");
  const std::string aws_dir = (home == env.end() ? "" : home->second) + "/.aws/";
  auto file = [&](const char* var, const std::string& fallback) {
    auto it = env.find(var);
    return PathExists(it != env.end() && !it->second.empty() ? it->second : fallback);
  };
  return file("AWS_SHARED_CREDENTIALS_FILE", aws_dir + "credentials") ||
         file("AWS_CONFIG_FILE", aws_dir + "config");
}

// `quick`: few retries and short timeouts, for work no one asked for (the sweep).
Result<std::unique_ptr<aws::AwsCloud>> BuildAwsCloud(CliContext& ctx, const CloudParams& params,
                                                     const std::string& default_region,
                                                     bool quick) {
  aws::AwsOverrides overrides;
  overrides.region = params.region;
  overrides.default_region = default_region;
  auto config = aws::LoadAwsConfig(ctx.env, overrides, &ctx.clock);
  if (!config.ok()) return config.status();
  aws::AwsCloudOptions options;
  auto ssh = ctx.SshSettings();
  if (!ssh.ok()) return ssh.status();
  options.ssh = *ssh;
  options.owner = OwnerTag(ctx.home);
  if (quick) {
    options.client.max_attempts = 2;
    options.client.timeout_s = 10;
    options.client.max_backoff_s = 1;
    config->max_attempts = 0;  // AWS_MAX_ATTEMPTS is for the user's own commands.
  }
  options.ssh_cidr = params.ssh_cidr;
  if (const std::string& cidr = ctx.env["SPOTRUN_SSH_CIDR"]; !cidr.empty()) {
    if (!IsCidr(cidr) || IsWholeInternet(cidr)) {
      return InvalidArgument(
          "SPOTRUN_SSH_CIDR: expected your own address range such as "
          "203.0.113.7/32, got '" +
          cidr + "'");
    }
    options.ssh_cidr = cidr;
  }
  if (!ctx.http) ctx.http = std::make_unique<CurlHttpClient>();
  HttpClient* http = ctx.http.get();
  // Only real AWS sees this machine's public address; a test or proxy endpoint never asks.
  bool real_aws = config->ec2_endpoint == aws::DefaultEndpoint("ec2", config->region);
  if (options.ssh_cidr.empty() && real_aws) {
    options.find_ssh_cidr = [http] { return aws::LookUpPublicCidr(http); };
  }
  if (!config->pricing_endpoint.empty()) {
    options.price_list = std::make_shared<aws::PriceListClient>(
        http, config->credentials.get(), &ctx.clock, config->pricing_endpoint);
  }
  return std::make_unique<aws::AwsCloud>(std::move(config).value(), http, &ctx.clock,
                                         Catalog::Bundled().offers(), std::move(options));
}

}  // namespace

Result<std::unique_ptr<Cloud>> MakeAwsCloud(CliContext& ctx, const CloudParams& params) {
  auto cloud = BuildAwsCloud(ctx, params, "", /*quick=*/false);
  if (!cloud.ok()) return cloud.status();
  if (params.check_access) SPOTRUN_RETURN_IF_ERROR((*cloud)->CheckAccess(params.region));
  return std::unique_ptr<Cloud>(std::move(cloud).value());
}

namespace {

class S3MirrorHandle : public CheckpointMirrorHandle {
 public:
  S3MirrorHandle(aws::AwsConfig config, HttpClient* http, Clock* clock, aws::S3Location root)
      : config_(std::move(config)),
        client_(http, config_.credentials.get(), clock, aws::S3OptionsFor(config_)),
        store_(&client_, std::move(root)) {}
  ObjectStore* store() override { return &store_; }

 private:
  aws::AwsConfig config_;
  aws::S3Client client_;
  aws::S3ObjectStore store_;
};

}  // namespace

Result<std::unique_ptr<CheckpointMirrorHandle>> MakeCheckpointMirror(CliContext& ctx,
                                                                     const JobSpec& spec,
                                                                     const std::string& job_id) {
  if (spec.checkpoint.store.empty()) return std::unique_ptr<CheckpointMirrorHandle>();
  std::string url = spec.checkpoint.store;
  if (url.back() != '/') url += '/';
  auto root = aws::ParseS3Url(url + job_id + "/");
  if (!root.ok()) return root.status();
  aws::AwsOverrides overrides;
  overrides.region = spec.resources.region;
  overrides.default_region = "us-east-1";
  auto config = aws::LoadAwsConfig(ctx.env, overrides, &ctx.clock);
  if (!config.ok()) return config.status();
  if (!ctx.http) ctx.http = std::make_unique<CurlHttpClient>();
  return std::unique_ptr<CheckpointMirrorHandle>(
      new S3MirrorHandle(std::move(config).value(), ctx.http.get(), &ctx.clock, *root));
}

void SweepAwsOrphans(CliContext& ctx, bool thorough) {
  if (!HasAwsSettings(ctx.env)) return;
  const std::string stamp = ctx.home + "/aws-sweep";
  auto last = ReadFile(stamp);
  if (!thorough && last.ok() && ctx.clock.Now() - std::atof(last->c_str()) < kSweepInterval) return;
  std::set<std::string> regions;
  if (!ctx.store) {
    // No store (down --all over a broken one): every region this owner used is unknown.
  } else if (auto jobs = ctx.store->ListJobs(); jobs.ok()) {
    for (const JobRecord& job : *jobs) {
      if (job.cloud != "aws") continue;
      auto attempts = ctx.store->Attempts(job.id);
      if (!attempts.ok()) continue;
      for (const AttemptRecord& a : *attempts) {
        if (!a.region.empty()) regions.insert(a.region);
      }
    }
  }
  auto cloud = BuildAwsCloud(ctx, {}, "us-east-1", /*quick=*/true);
  if (!cloud.ok()) {
    if (thorough) fprintf(stderr, "spotrun: aws: %s\n", cloud.status().message().c_str());
    return;
  }
  // Stamped before, so that an unreachable AWS slows one command in ten minutes, not each.
  (void)WriteFileAtomic(stamp, std::to_string(ctx.clock.Now()));
  bool store_failed = false;
  auto over = [&](const std::string& id, double launch_time) {
    if (!ctx.store) return true;
    auto job = ctx.store->GetJob(id);
    switch (JudgeTaggedInstance(job, launch_time, ctx.store->created_at())) {
      case SweepVerdict::kSweep:
        return !store_failed;
      case SweepVerdict::kOlderThanStore:
        return thorough && !store_failed;
      case SweepVerdict::kKeep:
        return false;
      case SweepVerdict::kStoreError:
        store_failed = true;
        return false;
    }
    return false;
  };
  auto removed = (*cloud)->SweepOwned({regions.begin(), regions.end()}, over);
  if (store_failed) fprintf(stderr, "spotrun: state store error; AWS sweep stopped\n");
  if (!removed.ok()) {
    // Unasked for, a failure stays quiet: the user's own AWS commands report it.
    if (thorough) {
      fprintf(stderr, "spotrun: could not check AWS for leftovers: %s\n",
              removed.status().message().c_str());
    }
    return;
  }
  for (const std::string& line : *removed) fprintf(stderr, "spotrun: %s\n", line.c_str());
}

}  // namespace spotrun
