#include "cli/estimate_terms.h"

#include <algorithm>
#include <cstdio>

#include "util/ascii.h"

namespace spotrun {
namespace {

// Defaults when the store has seen no attempt on the cloud: AWS's from the
// spot-policy research (boot, setup and checkpoint restore, the paper's d);
// a local instance starts in about a second, with a short setup.
constexpr double kAwsChangeoverS = 0.2 * 3600;
constexpr double kLocalChangeoverS = 30;
// How many of the newest jobs of the cloud are measured.
constexpr size_t kJobsMeasured = 50;

struct TraceName {
  std::string file;  // "us-east-1c_v100_1"
  std::string region;
  std::string gpu;
};

// "traces/availability/us-east-1c_v100_1.json": zone us-east-1c, GPU v100.
TraceName Parse(const std::string& name) {
  TraceName t;
  t.file = name.substr(name.rfind('/') + 1);
  if (t.file.size() > 5 && t.file.ends_with(".json")) t.file.resize(t.file.size() - 5);
  const std::vector<std::string> parts = Split(t.file, '_');
  if (parts.size() >= 2) {
    std::string zone = parts[0];
    if (!zone.empty() && zone.back() >= 'a' && zone.back() <= 'z') zone.pop_back();
    t.region = zone;
    t.gpu = parts[1];
  }
  return t;
}

std::string Files(const std::vector<TraceName>& traces) {
  std::vector<std::string> files;
  for (const TraceName& t : traces) files.push_back(t.file);
  return Join(files, ", ");
}

}  // namespace

TraceChoice ChooseTraces(const Offer& offer, const std::vector<std::string>& names) {
  std::vector<TraceName> all, same_gpu, same_region;
  std::vector<std::string> all_names, gpu_names, region_names;
  for (const std::string& name : names) {
    TraceName t = Parse(name);
    all.push_back(t);
    all_names.push_back(name);
    if (offer.accelerator.empty() || !EqualsNoCase(t.gpu, offer.accelerator)) continue;
    same_gpu.push_back(t);
    gpu_names.push_back(name);
    if (t.region != offer.region) continue;
    same_region.push_back(t);
    region_names.push_back(name);
  }
  const std::string type = offer.instance_type + " (" +
                           (offer.accelerator.empty() ? std::string("no GPU") : offer.accelerator) +
                           ") in " + offer.region;
  if (!same_region.empty()) {
    return {region_names,
            "the " + offer.accelerator + " traces of " + offer.region + ": " + Files(same_region)};
  }
  if (!same_gpu.empty()) {
    return {gpu_names, "no bundled trace of " + type + "; the nearest, the " + offer.accelerator +
                           " traces of other regions: " + Files(same_gpu)};
  }
  return {all_names, "no bundled trace of " + type +
                         "; the nearest there is, every bundled trace: " + Files(all)};
}

Changeover ChangeoverOf(const std::string& cloud, Store* store) {
  std::vector<double> samples;
  if (store) {
    auto jobs = store->ListJobs();
    if (jobs.ok()) {
      std::vector<JobRecord> mine;
      for (const JobRecord& j : *jobs) {
        if (j.cloud == cloud) mine.push_back(j);
      }
      std::sort(mine.begin(), mine.end(),
                [](const JobRecord& a, const JobRecord& b) { return a.created_at > b.created_at; });
      if (mine.size() > kJobsMeasured) mine.resize(kJobsMeasured);
      for (const JobRecord& j : mine) {
        auto attempts = store->Attempts(j.id);
        auto events = store->Events(j.id);
        if (!attempts.ok() || !events.ok()) continue;
        for (const AttemptRecord& a : *attempts) {
          if (a.started_at <= 0) continue;
          const double end = a.ended_at > 0 ? a.ended_at : 1e300;
          for (const EventRecord& e : *events) {
            if (e.kind == "RUNNING" && e.at >= a.started_at && e.at <= end) {
              samples.push_back(e.at - a.started_at);
              break;
            }
          }
        }
      }
    }
  }
  char line[160];
  if (!samples.empty()) {
    std::sort(samples.begin(), samples.end());
    const double median = samples[samples.size() / 2];
    std::snprintf(line, sizeof line,
                  "measured: the median launch-to-run time of %zu attempt%s on the %s cloud",
                  samples.size(), samples.size() == 1 ? "" : "s", cloud.c_str());
    return {median, line};
  }
  const bool local = cloud == "local";
  std::snprintf(line, sizeof line, "the %s cloud's default (no attempt on it in this store yet)",
                cloud.c_str());
  return {local ? kLocalChangeoverS : kAwsChangeoverS, line};
}

}  // namespace spotrun
