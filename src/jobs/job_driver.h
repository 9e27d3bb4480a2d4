// JobDriver: the state of one job while DriveJob runs it. Internal to jobs/.
//
// A job runs as a sequence of attempts, one instance each. An attempt ends
// done (the agent finished `run`), stopped (cancel, Ctrl-C, budget),
// interrupted (spot preemption, decided from the agent's notice and the
// cloud's instance state) or lost (the cloud says the instance is gone
// without a notice). Interrupted and lost attempts are relaunched and resumed
// from the checkpoint store; a failing `run` is restarted up to
// recovery.max_restarts times.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/layout.h"
#include "jobs/agent_protocol.h"
#include "jobs/checkpoint_store.h"
#include "jobs/controller.h"
#include "jobs/deadline.h"
#include "policy/placement.h"
#include "remote/host.h"
#include "spec/job_spec.h"

namespace spotrun {

// kMigrated: the deadline policy moved the job to another market.
// kAgentDied: the instance answers but its agent is gone without finishing.
enum class AttemptEnd { kDone, kStopped, kInterrupted, kLost, kMigrated, kAgentDied };

// How long the agent may look dead (polls that find no supervisor in a phase
// it drives) before the attempt ends: a few polls, and at least this long.
inline constexpr int kDeadAgentPolls = 3;
inline constexpr double kDeadAgentSeconds = 10;

class JobDriver {
 public:
  JobDriver(const ControllerContext& ctx, JobRecord record, JobSpec spec);
  Result<JobState> Run();
  // After Run failed (a store error): terminates, at the cloud only, the
  // instances still up, so that nothing is left running and billing.
  void Abandon();

 private:
  // Attempts.
  Status Transition(JobState next, const std::string& detail);
  // Picks up where a previous controller left the latest attempt; false when
  // there is nothing to pick up.
  Result<bool> Reattach();
  // Terminates and closes every open attempt but the newest, which goes last.
  Status CloseStaleAttempts();
  // Launches the next attempt: candidates in recovery order, waiting while
  // every spot pool is out of capacity.
  Status Provision();
  std::vector<Candidate> CandidatesInOrder(std::string* why_none);
  // Only the offers of one market, in recovery order.
  std::vector<Candidate> CandidatesIn(Market market, std::string* why_none);
  // Tries `candidates` in order; kCapacity when all are out of capacity.
  Status LaunchFirstAvailable(const std::vector<Candidate>& candidates);
  // Deadline jobs: launches what the policy asks for, waiting while it says idle.
  Status ProvisionByPolicy();
  Status SetUpPlanner();
  // While `run` runs: true when the policy wants another market now. A move
  // to spot is made before the break: true only once the spot instance runs
  // (held as the replacement).
  bool PolicyWantsSwitch();
  // Launches the first of `candidates` that can be had to take over from the
  // running instance, which is polled meanwhile (PollRunning); true once it
  // runs (held in replacement_).
  bool LaunchReplacement(const std::vector<Candidate>& candidates);
  // On the current attempt's notice: launches its replacement at once, while
  // the noticed instance still runs and takes its final checkpoint (make
  // before break). Not when a stop is under way, when max_attempts leaves no
  // room for both, or when nothing but the noticed pool can be had: the
  // relaunch then waits for the reclaim (EndAttempt).
  void ReplaceOnNotice();
  // What a replacement during the notice may be: the spot offers in recovery
  // order from the noticed attempt, its pool (type and zone) left out, since
  // its capacity is being taken back. Deadline jobs: what the policy asks for
  // (on-demand included).
  std::vector<Candidate> NoticeCandidates();
  std::vector<Candidate> NoticeCandidatesByPolicy();
  // An attempt's instance held beside the current one: the one that runs
  // while its replacement launches, or the replacement standing by.
  struct HeldInstance {
    AttemptRecord attempt;
    Instance instance;
    std::unique_ptr<Host> host;
    std::unique_ptr<HostSession> session;
    int polls_until_session = 0;
  };
  // A poll of the instance that runs while its replacement launches
  // (WaitRunning asks once a second): its notice is noted and, once its agent
  // took the final snapshot (phase "interrupted"), its final checkpoint
  // synced, as Watch would.
  void PollRunning(HeldInstance* running);
  // Swaps the current attempt's instance, host and session with `held`'s.
  void SwapWith(HeldInstance* held);
  // Makes the replacement the current attempt; false when there is none.
  bool TakeReplacement();
  // The first kCandidatesPerRound of those (keeping an on-demand fallback).
  std::vector<Candidate> CandidatesToTry(std::string* why_none);
  Status LaunchCandidate(const Candidate& c, const std::string& client_token);
  Status WaitRunning();
  // Sends ctx_.secrets to the instance (layout root/secrets.env, mode 0600).
  Status PushSecrets();
  Status SetUp();
  // What the workdir upload leaves out: the results directories of every job
  // in the store that lie inside the workdir (upload_excludes.h).
  std::vector<std::string> WorkdirExcludes() const;
  // SetUp, tried again over a new connection while the instance runs and
  // the failure is kUnavailable (an SSH drop), kSetUpTries times in all.
  Status SetUpRetried();
  AttemptConfig MakeAttemptConfig() const;
  // Polls the agent until the attempt ends.
  Result<AttemptEnd> Watch(AgentStatus* final_status);
  Result<AgentStatus> PollOnce();
  // What one poll of the agent printed (agent_protocol.h).
  Result<std::string> PollAgent();
  // Notes the attempt's interruption notice, once (an event; reclaim_at_);
  // true when it was noted now.
  bool NoteNotice(const AgentStatus& status);
  // Notebooks: keeps when Jupyter, a kernel or a `spotrun ssh` session was
  // last active (a NOTEBOOK event when that moved on).
  void NoteNotebook(const AgentStatus& status);
  // Why a notebook stops now for being idle; nullopt while it is not.
  std::optional<std::string> NotebookIdleStop() const;
  // A notebook that ends with nothing collected (stopped between instances):
  // its files as last saved (the checkpoint) go into the results.
  void KeepNotebookFilesInResults();
  // Takes the job's reported progress (the planner, a PROGRESS event).
  void NoteProgress(double fraction);
  // Keeps what the instance showed of GPUs (a GPUS event, once per attempt).
  void NoteGpus(const AgentStatus& status);
  // Decides what a failed poll means from the cloud's view of the instance;
  // nullopt while it is undecided.
  std::optional<AttemptEnd> OnPollFailure(const Status& failure, int* failures);
  // kAgentDied once the polls have found no agent long enough (kDeadAgent*);
  // `dead_since` is when they started to (0 = the agent was alive).
  std::optional<AttemptEnd> CheckAgentAlive(const AgentStatus& status, int* dead_polls,
                                            double* dead_since);
  void SyncCheckpoint(const std::string& why);
  // Copies the current checkpoint to the mirror, if the job has one.
  void MirrorCheckpoint();
  // With no checkpoint on this disk, takes the mirror's (a new controller
  // machine, a lost SPOTRUN_HOME).
  Status FetchMirroredCheckpoint();
  // True once a cancel, Ctrl-C, a budget limit or the loss of the state
  // store asks the job to stop.
  bool Stopping();
  // Waits `seconds`, asking Stopping() every poll interval; false once it
  // says stop.
  bool PauseUnlessStopping(double seconds);
  // Makes `host` the current attempt's: a stop asked for while its commands,
  // transfers or connection waits are under way cuts them short, unless the
  // driver is already acting on the stop (telling the agent, collecting).
  void UseHost(std::unique_ptr<Host> host);
  // Ends a job asked to stop before its attempt runs: the instance, if any,
  // goes, and no other is launched.
  Result<JobState> StopBeforeRun();
  // Fails once the state store is gone or unreadable for this job (not when
  // merely locked): the job is then invisible to every other spotrun process.
  Status StoreLost();
  // What the job's attempts cost so far, the running one's included.
  double Spent() const;

  // Closes an interrupted or lost attempt before the relaunch.
  Status EndAttempt(AttemptEnd end);

  // Endings.
  // Pulls the staged outputs into the results directory, with every
  // attempt's log in logs/job.log.
  Status Collect();
  void SalvageLogs();
  // Writes logs/job.log into the results directory when nothing was collected.
  void KeepLogsInResults();
  // The attempts so far, the current one included.
  std::vector<AttemptRecord> AllAttempts() const;
  // Terminates the instance (retrying) and closes the attempt's billing.
  Status TerminateInstance(const std::string& outcome);
  Result<JobState> Finish(JobState state, const std::string& message, int exit_code);
  Result<JobState> FinishDone(const AgentStatus& status);
  std::string AttemptLogPath() const;

  const ControllerContext& ctx_;
  JobRecord job_;
  JobSpec spec_;
  RemoteLayout layout_;
  CheckpointStore checkpoints_;
  std::vector<AttemptRecord> history_;  // Earlier attempts, oldest first.
  AttemptRecord attempt_;               // The current attempt.
  Instance instance_;
  std::unique_ptr<Host> host_;
  // The agent's `serve` on host_, once opened; polls go over it.
  std::unique_ptr<HostSession> session_;
  int polls_until_session_ = 0;
  long long log_offset_ = 0;
  double phase_started_ = 0;
  double last_sync_ = 0;
  double reclaim_at_ = 0;                     // When the noticed reclaim happens; 0 = no notice.
  std::unique_ptr<DeadlinePlanner> planner_;  // Set for jobs with a deadline.
  // The instance launched to take over from the current one (a move to spot).
  std::unique_ptr<HeldInstance> replacement_;
  double last_decision_ = 0;
  // Set while a replacement launches: polls the instance that runs.
  std::function<void()> while_launching_;
  bool notice_seen_ = false;     // The current attempt's notice is noted.
  bool final_synced_ = false;    // The current attempt's final checkpoint is synced.
  AttemptRecord failed_launch_;  // The last launch that failed, as stored.
  int gpus_ = -1;                // Accelerators of the instance launched; -1 = not known.
  double stored_progress_ = -1;  // The fraction in the latest PROGRESS event.
  int gpus_noted_attempt_ = 0;   // The attempt whose GPUS event is stored.
  std::string agent_died_in_;    // The phase the agent stopped in (kAgentDied).
  std::string stop_reason_;
  bool stop_handled_ = false;  // The driver acts on the stop: host work is not cut short.
  JobState stop_state_ = JobState::kCancelled;
  int setup_failures_ = 0;  // Attempts in a row that could not be set up.
  // Notebooks: the attempt whose Jupyter reported, and when it was last active.
  int notebook_attempt_ = 0;
  double notebook_active_at_ = 0;
  double notebook_stored_active_at_ = 0;  // In the latest NOTEBOOK event.
  bool collected_ = false;                // Collect moved results into place.
};

// Polls made with a command each before a session is tried (again).
inline constexpr int kPollsBetweenSessions = 20;
// Offers asked for in one round of launches before waiting for capacity.
inline constexpr size_t kCandidatesPerRound = 8;
// Tries of SetUp on one instance, and attempts in a row that fail to set up
// before the job fails.
inline constexpr int kSetUpTries = 3;
inline constexpr int kMaxSetUpFailures = 3;
// Seconds a throttled or unreachable cloud is asked again to terminate an
// instance (backing off up to 30 s) before it is left to the next sweep.
inline constexpr double kTerminateRetryS = 600;

}  // namespace spotrun
