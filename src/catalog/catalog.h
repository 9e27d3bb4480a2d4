// The instance catalog: instance types and their prices per zone. The bundled
// snapshot (data/catalog/aws-vms.csv, embedded in the binary) is the default;
// a cloud may refresh spot prices from live data.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace spotrun {

// One instance type offered in one zone.
struct Offer {
  std::string instance_type;  // "p3.2xlarge"
  std::string accelerator;    // "V100", empty for none
  int accelerator_count = 0;
  double vcpus = 0;
  double memory_gib = 0;
  double on_demand_price = 0;  // USD/h; < 0 when unknown (a type the snapshot lacks)
  double spot_price = -1;      // USD/h; < 0 when spot is not offered in this zone
  std::string region;          // "us-east-1"
  std::string zone;            // AZ id, "use1-az1"
  std::string zone_name;       // "us-east-1b" where the account's mapping is known, else ""

  bool has_spot() const { return spot_price >= 0; }
  bool has_on_demand() const { return on_demand_price >= 0; }
};

// The regions of `offers`: `first` (when not empty), then the others sorted.
std::vector<std::string> OfferRegions(const std::vector<Offer>& offers, const std::string& first);

// Where the bundled snapshot comes from, and when it was bundled.
inline constexpr const char* kBundledCatalogSource =
    "SkyPilot's AWS catalog v7 (commit 001367d2), bundled 2026-11-26";

class Catalog {
 public:
  // Parses the CSV format of data/catalog/aws-vms.csv (header row required).
  static Result<Catalog> FromCsv(const std::string& csv);
  // The snapshot embedded in the binary.
  static const Catalog& Bundled();

  const std::vector<Offer>& offers() const { return offers_; }

 private:
  std::vector<Offer> offers_;
};

}  // namespace spotrun
