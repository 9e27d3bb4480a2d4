#include "cloud/aws/public_address.h"

#include "util/cidr.h"

namespace spotrun::aws {

Result<std::string> LookUpPublicCidr(HttpClient* http, const std::string& url) {
  const std::string advice =
      "; give the address allowed to reach SSH with SPOTRUN_SSH_CIDR or ssh_cidr in the job file";
  HttpRequest request;
  request.url = url;
  request.timeout_s = 10;
  Result<HttpResponse> response = http->Send(request);
  if (!response.ok()) {
    return Unavailable("cannot find this machine's public address: " + response.status().message() +
                       advice);
  }
  std::string address = response->body;
  while (!address.empty() &&
         (address.back() == '\n' || address.back() == '\r' || address.back() == ' ')) {
    address.pop_back();
  }
  if (response->status != 200 || !IsIpv4Address(address)) {
    return Unavailable("cannot find this machine's public address: " + UrlWithoutQuery(url) +
                       " answered HTTP " + std::to_string(response->status) + advice);
  }
  return address + "/32";
}

}  // namespace spotrun::aws
