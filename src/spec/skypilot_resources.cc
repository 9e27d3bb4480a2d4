// SkyPilot's `resources:`: placement, accelerators in every form, markets,
// disks, images, alternatives (any_of / ordered) and job recovery.
#include <array>
#include <cmath>

#include "spec/sections.h"
#include "spec/skypilot.h"
#include "spec/units.h"
#include "util/ascii.h"

namespace spotrun::spec {

namespace {

struct Accelerator {
  std::string name;
  double count = 1;
  YAML::Node at;
};

// One resource set as written, before its alternatives are expanded.
struct SkySet {
  Resources r;
  bool aws = false;                           // The set names AWS (infra or cloud).
  std::vector<Accelerator> accelerators;      // Alternatives; empty = none asked for.
  bool accelerators_ordered = false;          // Written as a list.
  std::map<std::string, std::string> images;  // image_id as a region -> AMI map.
  YAML::Node images_at;
};

std::string Got(const YAML::Node& n) { return n.IsScalar() ? Quoted(n.Scalar()) : DescribeType(n); }

Status ReadCloudName(const SpecContext& ctx, const YAML::Node& at, const std::string& field,
                     const std::string& cloud, SkySet* s) {
  const std::string c = AsciiLower(cloud);
  if (c == "aws") {
    s->aws = true;
  } else if (!c.empty() && c != "*") {
    return ErrorAt(ctx, at, field,
                   "cloud " + Quoted(cloud) +
                       " is not supported; spotrun runs on aws or its local "
                       "cloud (leave the cloud out for the local one)");
  }
  return Status::Ok();
}

Status ReadInfra(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                 SkySet* s) {
  std::string infra;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &infra));
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t slash; (slash = infra.find('/', start)) != std::string::npos; start = slash + 1) {
    parts.push_back(infra.substr(start, slash - start));
  }
  parts.push_back(infra.substr(start));
  if (parts.size() > 3) {
    return ErrorAt(ctx, node, field, "expected CLOUD[/REGION[/ZONE]], got " + Quoted(infra));
  }
  SPOTRUN_RETURN_IF_ERROR(ReadCloudName(ctx, node, field, parts[0], s));
  if (parts.size() > 1 && parts[1] != "*") s->r.region = parts[1];
  if (parts.size() > 2 && parts[2] != "*") s->r.zone = parts[2];
  return Status::Ok();
}

Status ParseAcceleratorText(const SpecContext& ctx, const YAML::Node& at, const std::string& field,
                            const std::string& text, std::optional<double> count, SkySet* s) {
  const size_t colon = text.find(':');
  Accelerator a{text.substr(0, colon), count.value_or(1), at};
  if (colon != std::string::npos) {
    std::optional<double> c = ParseNumber(text.substr(colon + 1));
    if (!c) return ErrorAt(ctx, at, field, "expected NAME or NAME:COUNT, got " + Quoted(text));
    a.count = *c;
  }
  if (a.name.empty() || a.count <= 0 || a.count > 1024) {
    return ErrorAt(ctx, at, field,
                   "expected NAME or NAME:COUNT with a count in (0, 1024], got " + Quoted(text));
  }
  s->accelerators.push_back(a);
  return Status::Ok();
}

// "A100:8"; {L4: 1, A10G: 1} or {L4, A10G} (any one); ["V100:1", "T4:1"] (in order).
Status ReadSkyAccelerators(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                           SkySet* s) {
  if (node.IsNull()) return Status::Ok();
  s->accelerators.clear();
  if (node.IsScalar()) return ParseAcceleratorText(ctx, node, field, node.Scalar(), {}, s);
  if (node.IsSequence()) {
    s->accelerators_ordered = true;
    for (size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar()) {
        return ErrorAt(ctx, node[i], IndexPath(field, i),
                       "expected NAME:COUNT, got " + Got(node[i]));
      }
      SPOTRUN_RETURN_IF_ERROR(
          ParseAcceleratorText(ctx, node[i], IndexPath(field, i), node[i].Scalar(), {}, s));
    }
    return Status::Ok();
  }
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, field, &entries));
  for (const Entry& e : entries) {
    std::optional<double> count = 1;
    if (!e.value.IsNull())
      count = e.value.IsScalar() ? ParseNumber(e.value.Scalar()) : std::nullopt;
    if (!count)
      return ErrorAt(ctx, e.where(), FieldPath(field, e.key),
                     "expected a count, got " + Got(e.value));
    SPOTRUN_RETURN_IF_ERROR(
        ParseAcceleratorText(ctx, e.key_node, FieldPath(field, e.key), e.key, count, s));
  }
  return Status::Ok();
}

Status ReadSkyCpus(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                   Resources* r) {
  SPOTRUN_RETURN_IF_ERROR(ReadCpus(ctx, node, field, r));
  // A bare number means exactly that many in SkyPilot; "N+" at least.
  if (node.IsScalar() && node.Scalar().back() != '+') r->cpus_exact = true;
  return Status::Ok();
}

Status ReadDiskSize(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                    Resources* r) {
  if (node.IsNull()) return Status::Ok();
  std::optional<double> gb = node.IsScalar() ? ParseMemoryGib(node.Scalar()) : std::nullopt;
  if (!gb || *gb < 1 || *gb > 16384 || std::floor(*gb) != *gb) {
    return ErrorAt(
        ctx, node, field,
        "expected a whole number of GB between 1 and 16384 (256 or \"256GB\"), got " + Got(node));
  }
  r->disk_size_gb = static_cast<int>(*gb);
  return Status::Ok();
}

Status ReadDiskTier(const SpecContext& ctx, const YAML::Node& node, const std::string& field) {
  std::string tier;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &tier));
  tier = AsciiLower(tier);
  if (tier == "low") return Status::Ok();  // EBS gp3 at its baseline: what spotrun launches.
  if (tier == "medium" || tier == "high" || tier == "ultra" || tier == "best") {
    return ErrorAt(ctx, node, field,
                   "'" + tier +
                       "' needs provisioned EBS IOPS/throughput, which spotrun's AWS "
                       "launch does not set yet (only 'low', gp3 at its baseline)");
  }
  return ErrorAt(ctx, node, field, "expected low, medium, high, ultra or best, got " + Got(node));
}

Status ReadNetworkTier(const SpecContext& ctx, const YAML::Node& node, const std::string& field) {
  std::string tier;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &tier));
  tier = AsciiLower(tier);
  if (tier == "standard") return Status::Ok();
  if (tier == "best") {
    return ErrorAt(ctx, node, field,
                   "'best' (EFA / high-performance networking) is not supported; use standard");
  }
  return ErrorAt(ctx, node, field, "expected standard or best, got " + Got(node));
}

Status ReadImage(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                 SkySet* s) {
  if (node.IsNull()) return Status::Ok();
  if (node.IsMap()) {
    std::vector<Entry> entries;
    SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, field, &entries));
    s->images.clear();
    for (const Entry& e : entries) {
      std::string ami;
      SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, e.value, FieldPath(field, e.key), &ami));
      s->images[e.key] = ami;
    }
    s->images_at = node;
    return Status::Ok();
  }
  std::string image;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &image));
  if (image.rfind("docker:", 0) == 0) {
    return ErrorAt(ctx, node, field, "docker images are not supported yet; give an AMI id");
  }
  s->r.image = image;
  return Status::Ok();
}

Status ReadStrategy(const SpecContext& ctx, const YAML::Node& strategy, const std::string& field) {
  if (!strategy || strategy.IsNull()) return Status::Ok();
  std::string name;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, strategy, field, &name));
  name = AsciiLower(name);
  // FAILOVER: relaunch where capacity is, nearest first: spotrun's recovery order.
  if (name == "failover") return Status::Ok();
  if (name == "eager_next_region") {
    return ErrorAt(ctx, strategy, field,
                   "EAGER_NEXT_REGION is not supported: spotrun relaunches in the same region "
                   "(use FAILOVER)");
  }
  return ErrorAt(ctx, strategy, field,
                 "expected FAILOVER or EAGER_NEXT_REGION, got " + Got(strategy));
}

Status ReadRecovery(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                    RecoverySpec* out) {
  if (!node.IsMap()) return ReadStrategy(ctx, node, field);
  // (Assigning to a YAML::Node bound to the tree writes through: keep the
  // strategy's node in a fresh one.)
  YAML::Node strategy;
  const std::array<FieldParser, 2> parsers = {
      FieldParser{"strategy",
                  [&](const Entry& e, const std::string&) {
                    strategy = e.value;
                    return Status::Ok();
                  }},
      FieldParser{"max_restarts_on_errors",
                  [&](const Entry& e, const std::string& f) {
                    return ReadIntInRange(ctx, e.value, f, 0, 1000, &out->max_restarts);
                  }},
  };
  SPOTRUN_RETURN_IF_ERROR(ParseFields(ctx, node, field, parsers));
  return ReadStrategy(ctx, strategy, field + ".strategy");
}

Status ParseSet(const SpecContext& ctx, const YAML::Node& node, const std::string& field, bool top,
                SkySet* s, JobSpec* spec, YAML::Node* alternatives,
                std::string* alternatives_field);

}  // namespace

namespace {

Status ParseSet(const SpecContext& ctx, const YAML::Node& node, const std::string& field, bool top,
                SkySet* s, JobSpec* spec, YAML::Node* alternatives,
                std::string* alternatives_field) {
  Resources* r = &s->r;
  auto string_field = [&](std::string_view key, std::string* target) {
    return FieldParser{key, [&ctx, target](const Entry& e, const std::string& f) {
                         return ReadString(ctx, e.value, f, target);
                       }};
  };
  auto fn = [](auto body) {
    return [body](const Entry& e, const std::string& f) { return body(e, f); };
  };
  auto alternatives_parser = [&](std::string_view key, bool ordered) {
    return FieldParser{key, fn([&, ordered](const Entry& e, const std::string& f) {
                         if (!top) return ErrorAt(ctx, e.key_node, f, "alternatives do not nest");
                         if (!alternatives_field->empty()) {
                           return ErrorAt(ctx, e.key_node, f, "give any_of or ordered, not both");
                         }
                         *alternatives = e.value;
                         *alternatives_field = f;
                         spec->resources.ordered = ordered;
                         return Status::Ok();
                       })};
  };
  auto note = [&](const Entry& e, const std::string& f, const std::string& text) {
    spec->notes.push_back(NoteAt(ctx, e.key_node, f, text));
    return Status::Ok();
  };
  const std::array<FieldParser, 22> parsers = {
      FieldParser{"infra", fn([&](const Entry& e, const std::string& f) {
                    return ReadInfra(ctx, e.value, f, s);
                  })},
      FieldParser{"cloud", fn([&](const Entry& e, const std::string& f) {
                    std::string c;
                    SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, e.value, f, &c));
                    return ReadCloudName(ctx, e.value, f, c, s);
                  })},
      string_field("region", &r->region),
      string_field("zone", &r->zone),
      FieldParser{"accelerators", fn([&](const Entry& e, const std::string& f) {
                    return ReadSkyAccelerators(ctx, e.value, f, s);
                  })},
      FieldParser{"cpus", fn([&](const Entry& e, const std::string& f) {
                    return ReadSkyCpus(ctx, e.value, f, r);
                  })},
      FieldParser{"memory", fn([&](const Entry& e, const std::string& f) {
                    return ReadMemorySpec(ctx, e.value, f, true, r);
                  })},
      string_field("instance_type", &r->instance_type),
      FieldParser{"use_spot", fn([&](const Entry& e, const std::string& f) {
                    return ReadBool(ctx, e.value, f, &r->use_spot);
                  })},
      FieldParser{"disk_size", fn([&](const Entry& e, const std::string& f) {
                    return ReadDiskSize(ctx, e.value, f, r);
                  })},
      FieldParser{"disk_tier", fn([&](const Entry& e, const std::string& f) {
                    return ReadDiskTier(ctx, e.value, f);
                  })},
      FieldParser{"network_tier", fn([&](const Entry& e, const std::string& f) {
                    return ReadNetworkTier(ctx, e.value, f);
                  })},
      FieldParser{"image_id", fn([&](const Entry& e, const std::string& f) {
                    return ReadImage(ctx, e.value, f, s);
                  })},
      FieldParser{"ports", fn([&](const Entry& e, const std::string& f) {
                    return ReadPorts(ctx, e.value, f, &r->ports);
                  })},
      FieldParser{"labels", fn([&](const Entry& e, const std::string& f) {
                    return ReadLabels(ctx, e.value, f, &r->labels);
                  })},
      alternatives_parser("any_of", false),
      alternatives_parser("ordered", true),
      FieldParser{"job_recovery", fn([&](const Entry& e, const std::string& f) {
                    return ReadRecovery(ctx, e.value, f, &spec->recovery);
                  })},
      FieldParser{"spot_recovery", fn([&](const Entry& e, const std::string& f) {
                    return ReadRecovery(ctx, e.value, f, &spec->recovery);
                  })},
      FieldParser{"autostop", fn([&](const Entry& e, const std::string& f) {
                    return note(e, f, "spotrun terminates the instance as soon as the job ends");
                  })},
      FieldParser{"accelerator_args", fn([&](const Entry& e, const std::string& f) {
                    return ErrorAt(ctx, e.key_node, f,
                                   "TPU accelerator arguments are not supported");
                  })},
      FieldParser{"max_price", fn([&](const Entry& e, const std::string& f) {
                    return ErrorAt(ctx, e.key_node, f,
                                   "not a SkyPilot field (spotrun's own files have it)");
                  })},
  };
  return ParseFields(ctx, node, field, parsers);
}

// One Resources per accelerator alternative and image region of `s`.
Status Expand(const SpecContext& ctx, const SkySet& s, JobSpec* spec, std::vector<Resources>* out) {
  std::vector<Resources> sets;
  if (s.accelerators.empty()) sets.push_back(s.r);
  for (const Accelerator& a : s.accelerators) {
    Resources r = s.r;
    r.accelerator = a.name;
    r.accelerator_count = static_cast<int>(std::ceil(a.count));
    if (r.accelerator_count != a.count) {
      spec->notes.push_back(NoteAt(ctx, a.at, "resources.accelerators",
                                   "a fraction of a GPU is given a whole one (" +
                                       std::to_string(r.accelerator_count) + ")"));
    }
    sets.push_back(r);
  }
  for (Resources& r : sets) {
    if (s.images.empty()) {
      out->push_back(r);
    } else if (!r.region.empty()) {
      auto it = s.images.find(r.region);
      if (it == s.images.end()) {
        return ErrorAt(ctx, s.images_at, "resources.image_id", "no image for region " + r.region);
      }
      r.image = it->second;
      out->push_back(r);
    } else {
      for (const auto& [region, ami] : s.images) {
        Resources per = r;
        per.region = region;
        per.image = ami;
        out->push_back(per);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status ParseSkyResources(const SpecContext& ctx, const YAML::Node& node, JobSpec* spec) {
  SkySet top;
  top.r = spec->resources;
  YAML::Node alternatives;
  std::string alternatives_field;
  SPOTRUN_RETURN_IF_ERROR(
      ParseSet(ctx, node, "resources", true, &top, spec, &alternatives, &alternatives_field));
  std::vector<SkySet> sets;
  const bool has_alternatives = !alternatives_field.empty();  // (A default Node tests true.)
  if (!has_alternatives) sets.push_back(top);
  if (has_alternatives && (!alternatives.IsSequence() || alternatives.size() == 0)) {
    return ErrorAt(ctx, alternatives, alternatives_field,
                   "expected a list of resource sets, got " + Got(alternatives));
  }
  for (size_t i = 0; has_alternatives && i < alternatives.size(); ++i) {
    SkySet s = top;
    YAML::Node none;
    std::string unused;
    SPOTRUN_RETURN_IF_ERROR(ParseSet(ctx, alternatives[i], IndexPath(alternatives_field, i), false,
                                     &s, spec, &none, &unused));
    sets.push_back(s);
  }
  std::vector<Resources> expanded;
  bool aws = false;
  for (const SkySet& s : sets) {
    aws = aws || s.aws;
    if (s.accelerators_ordered && s.accelerators.size() > 1) spec->resources.ordered = true;
    SPOTRUN_RETURN_IF_ERROR(Expand(ctx, s, spec, &expanded));
  }
  if (aws) spec->cloud = "aws";
  const bool ordered = spec->resources.ordered;
  if (expanded.size() == 1) {
    spec->resources = expanded.front();
  } else {
    spec->resources = top.r;
    spec->resources.any_of = expanded;
    spec->resources.ordered = ordered;
  }
  return Status::Ok();
}

}  // namespace spotrun::spec
