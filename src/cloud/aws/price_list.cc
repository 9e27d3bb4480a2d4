#include "cloud/aws/price_list.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cloud/aws/sigv4.h"

namespace spotrun::aws {
namespace {

using nlohmann::json;

// The USD price of the first on-demand price dimension of one product, or < 0.
double OnDemandUsd(const json& product) {
  if (!product.is_object() || !product.contains("terms")) return -1;
  const json& terms = product["terms"];
  if (!terms.contains("OnDemand") || !terms["OnDemand"].is_object()) return -1;
  for (const auto& [code, term] : terms["OnDemand"].items()) {
    if (!term.contains("priceDimensions")) continue;
    for (const auto& [key, dim] : term["priceDimensions"].items()) {
      if (dim.value("unit", "") != "Hrs" || !dim.contains("pricePerUnit")) continue;
      const json& usd = dim["pricePerUnit"].value("USD", json());
      if (usd.is_string()) return std::strtod(usd.get<std::string>().c_str(), nullptr);
    }
  }
  return -1;
}

}  // namespace

PriceListClient::PriceListClient(HttpClient* http, CredentialProvider* credentials, Clock* clock,
                                 std::string endpoint)
    : http_(http), credentials_(credentials), clock_(clock), endpoint_(std::move(endpoint)) {}

std::string PriceListClient::RequestBody(const std::string& instance_type,
                                         const std::string& region) {
  json filters = json::array();
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"instanceType", instance_type},
                                                        {"regionCode", region},
                                                        {"operatingSystem", "Linux"},
                                                        {"tenancy", "Shared"},
                                                        {"preInstalledSw", "NA"},
                                                        {"capacitystatus", "Used"}}) {
    filters.push_back({{"Type", "TERM_MATCH"}, {"Field", field}, {"Value", value}});
  }
  return json{{"ServiceCode", "AmazonEC2"},
              {"Filters", filters},
              {"FormatVersion", "aws_v1"},
              {"MaxResults", 10}}
      .dump();
}

Result<double> PriceListClient::ParseOnDemandPrice(const std::string& answer) {
  json doc = json::parse(answer, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("PriceList") || !doc["PriceList"].is_array()) {
    return Unavailable("pricing GetProducts: unreadable answer");
  }
  for (const json& entry : doc["PriceList"]) {
    // Each product comes as a JSON document in a string.
    json product = entry.is_string()
                       ? json::parse(entry.get<std::string>(), nullptr, /*allow_exceptions=*/false)
                       : entry;
    double usd = OnDemandUsd(product);
    if (usd > 0) return usd;
  }
  return NotFound("pricing GetProducts: no on-demand price");
}

Result<double> PriceListClient::OnDemandPrice(const std::string& instance_type,
                                              const std::string& region) {
  Result<Credentials> credentials = credentials_->Get();
  if (!credentials.ok()) return credentials.status();
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint_ + "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "AWSPriceListService.GetProducts"},
                     {"User-Agent", "spotrun"}};
  request.body = RequestBody(instance_type, region);
  request.timeout_s = 15;
  SignV4(*credentials, {"us-east-1", "pricing", clock_->Now()}, &request);
  Result<HttpResponse> response = http_->Send(request);
  if (!response.ok()) return Unavailable("pricing GetProducts: " + response.status().message());
  if (response->status == 400 || response->status == 403) {
    return Status(Code::kAuth, "pricing GetProducts: HTTP " + std::to_string(response->status) +
                                   " (needs pricing:GetProducts)");
  }
  if (response->status < 200 || response->status >= 300) {
    return Unavailable("pricing GetProducts: HTTP " + std::to_string(response->status));
  }
  Result<double> price = ParseOnDemandPrice(response->body);
  if (!price.ok()) {
    return Status(price.status().code(),
                  price.status().message() + " for " + instance_type + " in " + region);
  }
  return price;
}

}  // namespace spotrun::aws
