#include "catalog/catalog.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "util/embedded.h"

namespace spotrun {
namespace {

// Splits one CSV line; fields may be double-quoted with "" escapes.
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

double NumberOr(const std::string& s, double empty_value) {
  if (s.empty()) return empty_value;
  return std::stod(s);
}

}  // namespace

Result<Catalog> Catalog::FromCsv(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  if (!std::getline(in, line)) return InvalidArgument("catalog: empty");
  std::vector<std::string> header = SplitCsvLine(line);
  if (header.size() < 10 || header[0] != "InstanceType") {
    return InvalidArgument("catalog: unexpected header: " + line);
  }
  Catalog catalog;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::vector<std::string> f = SplitCsvLine(line);
    if (f.size() < 10)
      return InvalidArgument("catalog: line " + std::to_string(line_no) + ": too few fields");
    try {
      Offer o;
      o.instance_type = f[0];
      o.accelerator = f[1];
      o.accelerator_count = static_cast<int>(NumberOr(f[2], 0));
      o.vcpus = NumberOr(f[3], 0);
      o.memory_gib = NumberOr(f[4], 0);
      o.on_demand_price = NumberOr(f[6], 0);
      o.spot_price = NumberOr(f[7], -1);
      o.region = f[8];
      o.zone = f[9];
      catalog.offers_.push_back(std::move(o));
    } catch (const std::exception&) {
      return InvalidArgument("catalog: line " + std::to_string(line_no) + ": bad number");
    }
  }
  return catalog;
}

const Catalog& Catalog::Bundled() {
  static const Catalog catalog = [] {
    auto r = FromCsv(std::string(*EmbeddedFile("catalog/aws-vms.csv")));
    return r.ok() ? std::move(r).value() : Catalog();
  }();
  return catalog;
}

std::vector<std::string> OfferRegions(const std::vector<Offer>& offers, const std::string& first) {
  std::set<std::string> others;
  for (const Offer& o : offers) {
    if (o.region != first) others.insert(o.region);
  }
  std::vector<std::string> out;
  if (!first.empty()) out.push_back(first);
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

}  // namespace spotrun
