#include "cloud/local/machine.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "util/ascii.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream fields(line);
  std::string f;
  while (std::getline(fields, f, ',')) out.push_back(Trim(f));
  return out;
}

std::optional<LocalGpu> ParseGpuLine(const std::string& line) {
  std::vector<std::string> f = SplitCsv(line);
  if (f.size() != 5 || f[0].empty() || f[2].empty()) return std::nullopt;
  LocalGpu g;
  try {
    size_t used = 0;
    g.index = std::stoi(f[0], &used);
    if (used != f[0].size()) return std::nullopt;
    g.memory_mib = std::stod(f[3]);  // "143771" or "143771 MiB"
  } catch (const std::exception&) {
    return std::nullopt;
  }
  g.uuid = f[1];
  g.name = f[2];
  g.model = GpuModel(g.name);
  g.driver = f[4];
  return g;
}

bool IsMakerWord(const std::string& w) {
  for (const char* maker : {"NVIDIA", "Tesla", "GeForce", "Quadro"}) {
    if (EqualsNoCase(w, maker)) return true;
  }
  return false;
}

bool AllLetters(const std::string& w) {
  return std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c); });
}

std::string UpToDash(const std::string& w) { return w.substr(0, w.find('-')); }

// The models of the machine's GPUs, each once, in nvidia-smi's order.
std::vector<std::string> Models(const MachineCapacity& m) {
  std::vector<std::string> out;
  for (const LocalGpu& g : m.gpus) {
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const std::string& x) { return EqualsNoCase(x, g.model); });
    if (!seen && !g.model.empty()) out.push_back(g.model);
  }
  return out;
}

using Zone = std::pair<std::string, std::string>;  // region, zone

Offer LocalOffer(const std::string& model, int count, const MachineCapacity& m, const Zone& zone) {
  const double share = static_cast<double>(count) / m.CountOf(model);
  Offer o;
  o.instance_type = LocalGpuTypeName(model, count);
  o.accelerator = model;
  o.accelerator_count = count;
  o.vcpus = std::max(1.0, std::floor(m.cpus * share));
  o.memory_gib = m.memory_gib * share;
  o.region = zone.first;
  o.zone = zone.second;
  o.on_demand_price = 0;
  o.spot_price = 0;
  return o;
}

// The local types of one model (see MachineOffers).
void AddLocalTypes(const std::vector<Offer>& catalog, const MachineCapacity& m,
                   const std::string& model, std::vector<Offer>* out) {
  std::set<Zone> zones;
  std::set<int> counts;  // Counts of `model` the catalog has a type for.
  std::map<Zone, const Offer*> smallest;
  for (const Offer& o : catalog) {
    zones.insert({o.region, o.zone});
    if (o.accelerator_count == 0 || !EqualsNoCase(o.accelerator, model)) continue;
    counts.insert(o.accelerator_count);
    const Offer*& s = smallest[{o.region, o.zone}];
    if (!s || o.accelerator_count < s->accelerator_count ||
        (o.accelerator_count == s->accelerator_count && o.on_demand_price < s->on_demand_price)) {
      s = &o;
    }
  }
  for (int k = 1; k <= m.CountOf(model); ++k) {
    if (counts.count(k)) continue;
    if (smallest.empty()) {
      for (const Zone& z : zones) out->push_back(LocalOffer(model, k, m, z));
      continue;
    }
    for (const auto& [zone, ref] : smallest) {
      Offer o = LocalOffer(model, k, m, zone);
      const double per_gpu = static_cast<double>(k) / ref->accelerator_count;
      o.on_demand_price = ref->on_demand_price * per_gpu;
      o.spot_price = ref->has_spot() ? ref->spot_price * per_gpu : -1;
      out->push_back(o);
    }
  }
}

}  // namespace

std::vector<LocalGpu> ParseNvidiaSmiCsv(const std::string& text) {
  std::vector<LocalGpu> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (auto g = ParseGpuLine(line)) out.push_back(*g);
  }
  return out;
}

std::string GpuModel(const std::string& name) {
  std::istringstream words(name);
  std::vector<std::string> w;
  for (std::string word; words >> word;) {
    if (w.empty() && IsMakerWord(word)) continue;
    w.push_back(word);
  }
  if (w.empty()) return "";
  std::string model = UpToDash(w[0]);
  if (AllLetters(model) && w.size() > 1) model += "-" + UpToDash(w[1]);
  return model;
}

int MachineCapacity::CountOf(const std::string& model) const {
  return static_cast<int>(std::count_if(
      gpus.begin(), gpus.end(), [&](const LocalGpu& g) { return EqualsNoCase(g.model, model); }));
}

MachineCapacity MachineCapacity::Probe(const std::map<std::string, std::string>* env) {
  MachineCapacity c;
  c.cpus = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  long long kb = 0;
  while (meminfo >> key >> kb) {
    if (key == "MemTotal:") c.memory_gib = kb / 1048576.0;
    meminfo.ignore(256, '\n');
  }
  std::string out;
  ProcessOptions p;
  p.argv = {"nvidia-smi", kNvidiaSmiQuery, kNvidiaSmiFormat};
  if (env != nullptr) p.base_env = *env;
  auto rc = RunCapture(p, &out, 20);
  if (rc.ok() && *rc == 0) c.gpus = ParseNvidiaSmiCsv(out);
  return c;
}

std::string LocalGpuTypeName(const std::string& model, int count) {
  return "local-" + AsciiLower(model) + "x" + std::to_string(count);
}

bool IsLocalGpuType(const std::string& instance_type) {
  return instance_type.rfind("local-", 0) == 0;
}

std::vector<Offer> MachineOffers(const std::vector<Offer>& catalog,
                                 const MachineCapacity& machine) {
  std::vector<Offer> out;
  for (const Offer& o : catalog) {
    if (o.accelerator_count == 0 || machine.CountOf(o.accelerator) >= o.accelerator_count) {
      out.push_back(o);
    }
  }
  for (const std::string& model : Models(machine)) AddLocalTypes(catalog, machine, model, &out);
  return out;
}

}  // namespace spotrun
