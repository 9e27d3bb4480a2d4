// The subcommands. Each takes the arguments after its name and returns the
// process exit status: 0 success, 1 the job or operation failed, 2 bad input.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "policy/placement.h"
#include "spec/job_spec.h"

namespace spotrun {

using Args = std::vector<std::string>;

int CmdLaunch(CliContext& ctx, const Args& args);
int CmdStatus(CliContext& ctx, const Args& args);
int CmdLogs(CliContext& ctx, const Args& args);
int CmdCancel(CliContext& ctx, const Args& args);
int CmdDown(CliContext& ctx, const Args& args);
int CmdEstimate(CliContext& ctx, const Args& args);
int CmdPrices(CliContext& ctx, const Args& args);
int CmdSsh(CliContext& ctx, const Args& args);
int CmdNotebook(CliContext& ctx, const Args& args);
int CmdSyncDown(CliContext& ctx, const Args& args);
int CmdDashboard(CliContext& ctx, const Args& args);
// Stateless: prints a job file converted to spotrun's format.
int RunConvertCommand(const Args& args);
// Where the job would run: the offers that fit, cheapest first (launch --dry-run).
Result<std::vector<Candidate>> PlanCandidates(const JobSpec& spec, Cloud& cloud);
// `regions`: the cloud's (Cloud::Regions), where a job that pins none may go.
void PrintDryRun(const JobSpec& spec, const std::vector<std::string>& regions,
                 const std::vector<Candidate>& candidates);
// The launch of `spec` on candidate `c`, as far as the image choice needs it
// (Cloud::DescribeImageChoice, the dry run's image line).
LaunchRequest ImageRequest(const JobSpec& spec, const Candidate& c);

// Entry point: dispatches argv through the command table.
int RunCli(int argc, char** argv);

}  // namespace spotrun
