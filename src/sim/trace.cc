#include "sim/trace.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace spotrun {
namespace {

namespace fs = std::filesystem;

bool Decode(int64_t value, const TraceEncoding& e) {
  switch (e.kind) {
    case TraceEncoding::Kind::kAvailability:
      return value == 0;
    case TraceEncoding::Kind::kPreemption:
      return value != 0;
    case TraceEncoding::Kind::kCount:
      return value >= e.count;
  }
  return false;
}

}  // namespace

Result<TraceEncoding> ParseTraceEncoding(std::string_view text) {
  if (text == "availability") return TraceEncoding{TraceEncoding::Kind::kAvailability, 1};
  if (text == "preemption") return TraceEncoding{TraceEncoding::Kind::kPreemption, 1};
  constexpr std::string_view kCount = "count:";
  if (text.substr(0, kCount.size()) == kCount) {
    std::string_view digits = text.substr(kCount.size());
    int64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n >= 1) {
      return TraceEncoding{TraceEncoding::Kind::kCount, n};
    }
  }
  return InvalidArgument("encoding '" + std::string(text) +
                         "': expected availability, preemption or count:N");
}

TraceEncoding InferTraceEncoding(std::string_view path) {
  std::string folder = fs::path(path).parent_path().filename().string();
  if (folder == "preemption") return {TraceEncoding::Kind::kPreemption, 1};
  return {TraceEncoding::Kind::kAvailability, 1};
}

double Trace::AvailableFraction() const {
  if (available.empty()) return 0;
  return static_cast<double>(std::count(available.begin(), available.end(), 1)) /
         static_cast<double>(available.size());
}

Result<Trace> ParseTrace(std::string_view json, const TraceEncoding& encoding, std::string name) {
  Trace trace;
  trace.name = std::move(name);
  try {
    nlohmann::json doc = nlohmann::json::parse(json);
    const auto& gap = doc.at("metadata").at("gap_seconds");
    if (!gap.is_number_integer() || gap.get<int64_t>() <= 0) {
      return InvalidArgument(trace.name + ": metadata.gap_seconds must be a positive integer");
    }
    trace.gap_s = gap.get<int64_t>();
    const auto& data = doc.at("data");
    if (!data.is_array()) return InvalidArgument(trace.name + ": data must be an array");
    trace.available.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
      if (!data[i].is_number_integer()) {
        return InvalidArgument(trace.name + ": data[" + std::to_string(i) + "] is not an integer");
      }
      trace.available.push_back(Decode(data[i].get<int64_t>(), encoding) ? 1 : 0);
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(trace.name + ": " + e.what());
  }
  return trace;
}

Result<Trace> LoadTrace(const std::string& path, const std::optional<TraceEncoding>& encoding) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read trace " + path);
  std::ostringstream text;
  text << in.rdbuf();
  Result<Trace> trace = ParseTrace(text.str(), encoding.value_or(InferTraceEncoding(path)), path);
  if (trace.ok()) trace->name = fs::path(path).stem().string();
  return trace;
}

Result<std::vector<std::string>> ListTraceFiles(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound("not a directory: " + dir);
  std::vector<std::string> files;
  for (const char* sub : {"", "availability", "preemption"}) {
    fs::path folder = fs::path(dir) / sub;
    if (!fs::is_directory(folder, ec)) continue;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace spotrun
