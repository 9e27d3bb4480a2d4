// The job file as the commands that take one read it: `--format` and `--env`
// applied, translation notes printed (launch, estimate, convert).
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"
#include "spec/job_spec.h"

namespace spotrun {

// The flags every command reading a job file accepts.
std::vector<FlagSpec> JobFileFlags();

// Loads `file` with the command's --format and --env flags; unless
// `for_convert`, every required variable must then have a value, and each
// translation note is printed to stderr ("spotrun: note: ..."). Errors are one line.
// `notebook`: read as `spotrun notebook` reads it (ParseOptions::notebook).
Result<JobSpec> LoadJobFileWithFlags(const std::string& file, const ParsedArgs& args,
                                     bool for_convert = false, bool notebook = false);

// What the store keeps for the job: the file as written, or for a translated
// (SkyPilot) file or one given --env values, the equivalent spotrun job file
// with those values (secret values never: they stay out of the store).
std::string SpecTextToStore(const JobSpec& spec, const std::string& file, const ParsedArgs& args);

// A string map as a JSON object (a job's secrets, its saved environment).
std::string EncodeStringMap(const std::map<std::string, std::string>& map);
// What EncodeStringMap wrote; empty when `text` is not that.
std::map<std::string, std::string> DecodeStringMap(const std::string& text);

}  // namespace spotrun
