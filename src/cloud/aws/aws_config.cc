#include "cloud/aws/aws_config.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "cloud/aws/credential_process.h"
#include "cloud/aws/ini.h"

extern char** environ;

namespace spotrun::aws {
namespace {

using Section = std::map<std::string, std::string>;

std::string Var(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

struct SharedFile {
  std::string path;
  IniFile ini;
};

// Reads the file named by `variable`, or $HOME/`default_name`. A missing file
// (or no HOME) reads as empty.
Result<SharedFile> LoadShared(const Environment& env, const std::string& variable,
                              const std::string& default_name) {
  SharedFile file;
  std::string home = Var(env, "HOME");
  file.path = Var(env, variable);
  if (file.path.empty() && !home.empty()) file.path = home + "/" + default_name;
  if (file.path.rfind("~/", 0) == 0 && !home.empty()) file.path = home + file.path.substr(1);
  if (file.path.empty()) return file;
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return file;
  std::stringstream text;
  text << in.rdbuf();
  Result<IniFile> ini = ParseIni(text.str(), file.path);
  if (!ini.ok()) return ini.status();
  file.ini = std::move(*ini);
  return file;
}

struct Profile {
  std::string name;
  std::string chosen_by;  // "AWS_PROFILE", "--profile", or "" for the default.
  const Section* config = nullptr;
  const Section* credentials = nullptr;
  std::string config_path;
  std::string credentials_path;

  std::string Setting(const std::string& key) const {
    if (config == nullptr) return "";
    auto it = config->find(key);
    return it == config->end() ? "" : it->second;
  }
  std::string Describe() const {
    return "profile '" + name + "'" + (chosen_by.empty() ? "" : " (chosen by " + chosen_by + ")");
  }
};

Result<Profile> FindProfile(const Environment& env, const AwsOverrides& overrides,
                            const SharedFile& config, const SharedFile& credentials) {
  Profile profile;
  if (!overrides.profile.empty()) {
    profile.name = overrides.profile;
    profile.chosen_by = "--profile";
  } else if (!Var(env, "AWS_PROFILE").empty()) {
    profile.name = Var(env, "AWS_PROFILE");
    profile.chosen_by = "AWS_PROFILE";
  } else if (!Var(env, "AWS_DEFAULT_PROFILE").empty()) {
    profile.name = Var(env, "AWS_DEFAULT_PROFILE");
    profile.chosen_by = "AWS_DEFAULT_PROFILE";
  } else {
    profile.name = "default";
  }
  profile.config = config.ini.Find("profile " + profile.name);
  if (profile.config == nullptr && profile.name == "default")
    profile.config = config.ini.Find("default");
  profile.credentials = credentials.ini.Find(profile.name);
  profile.config_path = config.path;
  profile.credentials_path = credentials.path;
  if (!profile.chosen_by.empty() && profile.config == nullptr && profile.credentials == nullptr) {
    return InvalidArgument(profile.Describe() + " is in neither " + config.path + " nor " +
                           credentials.path + "; fix " + profile.chosen_by +
                           " or add the profile (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE "
                           "choose other files)");
  }
  return profile;
}

// Keys from one section: nullopt when it has neither key; an error when it
// has only one of them.
Result<std::optional<Credentials>> KeysFrom(const Section* section, const std::string& where) {
  if (section == nullptr) return std::optional<Credentials>();
  auto get = [&](const char* key) {
    auto it = section->find(key);
    return it == section->end() ? std::string() : it->second;
  };
  Credentials c;
  c.access_key_id = get("aws_access_key_id");
  c.secret_access_key = get("aws_secret_access_key");
  c.session_token = get("aws_session_token");
  if (c.access_key_id.empty() && c.secret_access_key.empty()) return std::optional<Credentials>();
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return AuthError(where +
                     " has only one of aws_access_key_id and aws_secret_access_key; set both");
  }
  c.source = where;
  return std::optional<Credentials>(c);
}

Result<std::shared_ptr<CredentialProvider>> EnvironmentCredentials(const Environment& env) {
  std::string id = Var(env, "AWS_ACCESS_KEY_ID");
  std::string secret = Var(env, "AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) return std::shared_ptr<CredentialProvider>();
  if (id.empty())
    return AuthError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both");
  if (secret.empty())
    return AuthError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both");
  std::string token = Var(env, "AWS_SESSION_TOKEN");
  if (token.empty()) token = Var(env, "AWS_SECURITY_TOKEN");
  Credentials c{id, secret, token, 0,
                "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" +
                    std::string(token.empty() ? "" : "/AWS_SESSION_TOKEN")};
  return std::shared_ptr<CredentialProvider>(std::make_shared<StaticCredentialProvider>(c));
}

Result<std::shared_ptr<CredentialProvider>> ResolveCredentials(const Environment& env,
                                                               const AwsOverrides& overrides,
                                                               const Profile& profile,
                                                               Clock* clock) {
  if (overrides.profile.empty()) {
    auto from_env = EnvironmentCredentials(env);
    if (!from_env.ok() || *from_env) return from_env;
  }
  using Keys = Result<std::optional<Credentials>>;
  Keys shared =
      KeysFrom(profile.credentials, profile.Describe() + " in " + profile.credentials_path);
  if (!shared.ok()) return shared.status();
  if (*shared)
    return std::shared_ptr<CredentialProvider>(
        std::make_shared<StaticCredentialProvider>(**shared));
  for (auto [section, path] : {std::pair{profile.credentials, profile.credentials_path},
                               std::pair{profile.config, profile.config_path}}) {
    if (section == nullptr || !section->count("credential_process")) continue;
    return std::shared_ptr<CredentialProvider>(std::make_shared<ProcessCredentialProvider>(
        section->at("credential_process"),
        "credential_process of " + profile.Describe() + " in " + path, env, clock));
  }
  Keys in_config = KeysFrom(profile.config, profile.Describe() + " in " + profile.config_path);
  if (!in_config.ok()) return in_config.status();
  if (*in_config)
    return std::shared_ptr<CredentialProvider>(
        std::make_shared<StaticCredentialProvider>(**in_config));
  for (const char* key : {"role_arn", "sso_session", "sso_start_url", "web_identity_token_file"}) {
    if (!profile.Setting(key).empty()) {
      return AuthError(profile.Describe() + " in " + profile.config_path + " uses " + key +
                       ", which spotrun does not support; add credential_process = aws configure "
                       "export-credentials --profile " +
                       profile.name + " --format process");
    }
  }
  return AuthError(
      "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
      "aws_access_key_id/aws_secret_access_key or credential_process to " +
      profile.Describe() + " in " + profile.credentials_path +
      " (AWS_PROFILE chooses another profile)");
}

bool ValidRegion(const std::string& region) {
  if (region.empty() || region.size() > 32) return false;
  for (char c : region) {
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

Result<std::string> ResolveRegion(const Environment& env, const AwsOverrides& overrides,
                                  const Profile& profile) {
  std::pair<std::string, std::string> candidates[] = {
      {overrides.region, "--region"},
      {Var(env, "AWS_REGION"), "AWS_REGION"},
      {Var(env, "AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"},
      {profile.Setting("region"), "region of " + profile.Describe() + " in " + profile.config_path},
      {overrides.default_region, "the job's region"}};
  for (const auto& [value, origin] : candidates) {
    if (value.empty()) continue;
    if (!ValidRegion(value))
      return InvalidArgument(origin + " is '" + value + "', which is not a region name");
    return value;
  }
  return InvalidArgument("no AWS region: set AWS_REGION, or add 'region = us-east-1' (say) to " +
                         profile.Describe() + " in " + profile.config_path);
}

Result<std::string> CheckedEndpoint(std::string url, const std::string& origin) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return InvalidArgument(origin + " must start with http:// or https://");
  }
  while (url.size() > 8 && url.back() == '/') url.pop_back();
  return url;
}

Result<std::string> ResolveEndpoint(const std::string& service, const std::string& override_url,
                                    const Environment& env, const Profile& profile,
                                    const SharedFile& config, const std::string& region) {
  if (!override_url.empty()) return CheckedEndpoint(override_url, "--endpoint-url for " + service);
  std::string upper;
  for (char c : service) upper += char(std::toupper(static_cast<unsigned char>(c)));
  bool ignore = Var(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") == "true" ||
                profile.Setting("ignore_configured_endpoint_urls") == "true";
  if (!ignore) {
    for (std::string name : {"AWS_ENDPOINT_URL_" + upper, std::string("AWS_ENDPOINT_URL")}) {
      if (!Var(env, name).empty()) return CheckedEndpoint(Var(env, name), name);
    }
    std::string services = profile.Setting("services");
    if (const Section* block = config.ini.Find("services " + services);
        block && !services.empty()) {
      auto it = block->find(service + ".endpoint_url");
      if (it != block->end())
        return CheckedEndpoint(it->second, "[services " + services + "] " + service +
                                               " endpoint_url in " + config.path);
    }
    if (!profile.Setting("endpoint_url").empty()) {
      return CheckedEndpoint(profile.Setting("endpoint_url"),
                             "endpoint_url of " + profile.Describe());
    }
  }
  return DefaultEndpoint(service, region);
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

std::string DefaultEndpoint(const std::string& service, const std::string& region) {
  std::string suffix = region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
  if (service == "pricing") return "https://api.pricing." + region + suffix;  // The Price List API.
  return "https://" + service + "." + region + suffix;
}

Result<AwsConfig> LoadAwsConfig(const Environment& env, const AwsOverrides& overrides,
                                Clock* clock) {
  Result<SharedFile> config = LoadShared(env, "AWS_CONFIG_FILE", ".aws/config");
  if (!config.ok()) return config.status();
  Result<SharedFile> credentials =
      LoadShared(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  if (!credentials.ok()) return credentials.status();
  Result<Profile> profile = FindProfile(env, overrides, *config, *credentials);
  if (!profile.ok()) return profile.status();

  AwsConfig result;
  result.profile = profile->name;
  Result<std::string> region = ResolveRegion(env, overrides, *profile);
  if (!region.ok()) return region.status();
  result.region = *region;
  Result<std::string> ec2 =
      ResolveEndpoint("ec2", overrides.ec2_endpoint_url, env, *profile, *config, result.region);
  if (!ec2.ok()) return ec2.status();
  result.ec2_endpoint = *ec2;
  Result<std::string> s3 =
      ResolveEndpoint("s3", overrides.s3_endpoint_url, env, *profile, *config, result.region);
  if (!s3.ok()) return s3.status();
  result.s3_endpoint = *s3;
  Result<std::string> pricing = ResolveEndpoint("pricing", "", env, *profile, *config, "us-east-1");
  if (!pricing.ok()) return pricing.status();
  bool ec2_default = result.ec2_endpoint == DefaultEndpoint("ec2", result.region);
  bool pricing_default = *pricing == DefaultEndpoint("pricing", "us-east-1");
  result.pricing_endpoint = pricing_default && !ec2_default ? "" : *pricing;
  std::string attempts = Var(env, "AWS_MAX_ATTEMPTS");
  std::string attempts_origin = "AWS_MAX_ATTEMPTS";
  if (attempts.empty()) {
    attempts = profile->Setting("max_attempts");
    attempts_origin = "max_attempts of " + profile->Describe();
  }
  if (!attempts.empty()) {
    if (attempts.find_first_not_of("0123456789") != std::string::npos || attempts.size() > 3 ||
        std::stoi(attempts) < 1) {
      return InvalidArgument(attempts_origin + " is '" + attempts + "', not a positive integer");
    }
    result.max_attempts = std::stoi(attempts);
  }
  Result<std::shared_ptr<CredentialProvider>> provider =
      ResolveCredentials(env, overrides, *profile, clock);
  if (!provider.ok()) return provider.status();
  result.credentials = *provider;
  return result;
}

}  // namespace spotrun::aws
