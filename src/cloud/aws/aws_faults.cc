#include "cloud/aws/aws_faults.h"

#include "cloud/aws/xml.h"

namespace spotrun::aws {

std::string AwsErrorXml(const std::string& code, const std::string& message,
                        const std::string& request_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" +
         XmlEscape(code) + "</Code><Message>" + XmlEscape(message) +
         "</Message></Error></Errors><RequestID>" + XmlEscape(request_id) +
         "</RequestID></Response>";
}

HttpFault AwsErrorFault(int status, const std::string& code, const std::string& message) {
  return HttpFault::Respond(status, AwsErrorXml(code, message), "text/xml;charset=UTF-8");
}

HttpFault ThrottlingFault(int status, const std::string& code) {
  return AwsErrorFault(status, code, "Request limit exceeded.");
}

HttpFault ServerErrorFault(int status, const std::string& code) {
  return AwsErrorFault(status, code, "An internal error has occurred");
}

}  // namespace spotrun::aws
