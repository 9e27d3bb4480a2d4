// Canned AWS error answers for FaultyHttpClient (util/faulty_http_client.h):
// throttling, server errors and any other code, in the XML shape EC2 sends.
//   faulty.FailNext(2, aws::ThrottlingFault());          // 503 RequestLimitExceeded
//   faulty.FailNext(1, aws::ThrottlingFault(400, "Throttling"));
//   faulty.FailNext(1, aws::AwsErrorFault(500, "InsufficientInstanceCapacity", "..."));
#pragma once

#include <string>

#include "util/faulty_http_client.h"

namespace spotrun::aws {

// <Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors>
// <RequestID>..</RequestID></Response>, with XML special characters escaped.
std::string AwsErrorXml(const std::string& code, const std::string& message,
                        const std::string& request_id = "00000000-0000-0000-0000-000000000000");

HttpFault AwsErrorFault(int status, const std::string& code, const std::string& message);
HttpFault ThrottlingFault(int status = 503, const std::string& code = "RequestLimitExceeded");
HttpFault ServerErrorFault(int status = 500, const std::string& code = "InternalError");

}  // namespace spotrun::aws
