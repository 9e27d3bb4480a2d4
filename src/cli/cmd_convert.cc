// `spotrun convert FILE`: a SkyPilot task file (or a spotrun one) printed as
// the equivalent spotrun job file.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/spec_flags.h"
#include "spec/job_file_writer.h"

namespace spotrun {

namespace {

constexpr const char* kConvertUsage =
    "usage: spotrun convert FILE [--format auto|spotrun|skypilot] [--env KEY[=VALUE]]...\n\n"
    "Prints the spotrun job file equivalent to FILE (a SkyPilot task file, see\n"
    "docs/skypilot.md). Where the meaning changes, a comment at the top says how.\n"
    "Secret values are never printed: secrets are listed by name, to be given\n"
    "with --env at launch. `spotrun launch` of the output plans the same as FILE.\n";

}  // namespace

int RunConvertCommand(const Args& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") return fputs(kConvertUsage, stdout), 0;
  }
  auto parsed = ParseArgs(args, JobFileFlags());
  if (!parsed.ok()) return fprintf(stderr, "spotrun: %s\n", parsed.status().message().c_str()), 2;
  if (parsed->positional.size() != 1) {
    return fprintf(stderr, "spotrun: convert needs one job file (see --help)\n"), 2;
  }
  const std::string file = parsed->positional[0];
  auto spec = LoadJobFileWithFlags(file, *parsed, /*for_convert=*/true);
  if (!spec.ok()) return fprintf(stderr, "spotrun: %s\n", spec.status().message().c_str()), 2;
  fputs(WriteJobFile(*spec, "spotrun job file converted from " + file +
                                " by `spotrun convert` (docs/job-spec.md)")
            .c_str(),
        stdout);
  return 0;
}

}  // namespace spotrun
