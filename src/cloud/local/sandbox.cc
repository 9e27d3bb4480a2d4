#include "cloud/local/sandbox.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/encoding.h"
#include "util/fs.h"
#include "util/subprocess.h"
#include "util/task_loop.h"

namespace spotrun {
namespace {

using nlohmann::json;

std::string FirstLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// Whether bubblewrap can make the namespaces here ("" = yes, else why not).
std::string ProbeBwrap() {
  ProcessOptions p;
  p.argv = {"bwrap",         "--ro-bind",     "/",  "/",        "--dev", "/dev", "--proc", "/proc",
            "--unshare-pid", "--unshare-ipc", "--", "/bin/true"};
  std::string output;
  auto rc = RunCapture(p, &output, 20);
  if (!rc.ok()) return rc.status().message();
  if (*rc == 127 && output.find("cannot run") != std::string::npos) {
    return "bwrap is not installed (Debian: bubblewrap)";
  }
  if (*rc != 0) return "bwrap exits " + std::to_string(*rc) + ": " + FirstLine(output);
  return "";
}

// Probed once per process. Not a function-local static: the probe waits for
// a child, which in a task of the controller's loop lets other jobs' tasks
// run, and one of them may ask meanwhile (it then waits for the answer).
const std::string& BwrapUnavailable() {
  static std::string why;
  static std::atomic<int> state{0};  // 0: not probed, 1: probing, 2: known
  int expected = 0;
  if (state.compare_exchange_strong(expected, 1)) {
    why = ProbeBwrap();
    state = 2;
  }
  while (state.load() != 2) PauseRealTime(0.01);
  return why;
}

std::string Readlink(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : "";
}

std::vector<int> PickCpus(double cpus, const std::string& instance_dir) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> allowed;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) allowed.push_back(c);
  }
  const size_t want = static_cast<size_t>(std::ceil(cpus));
  if (cpus <= 0 || allowed.empty() || want >= allowed.size()) return allowed;
  // Instances start at different CPUs so that small ones spread.
  const size_t first = std::hash<std::string>()(instance_dir) % allowed.size();
  std::vector<int> out;
  for (size_t i = 0; i < want; ++i) out.push_back(allowed[(first + i) % allowed.size()]);
  return out;
}

// The mount point of a cgroup hierarchy: cgroup2 (`v1_controller` empty) or
// the v1 hierarchy holding `v1_controller`; "" when there is none.
std::string CgroupMount(const std::string& v1_controller) {
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, opts, rest;
  while (mounts >> dev >> dir >> type >> opts && std::getline(mounts, rest)) {
    if (v1_controller.empty() && type == "cgroup2") return dir;
    if (!v1_controller.empty() && type == "cgroup") {
      std::stringstream ss(opts);
      for (std::string o; std::getline(ss, o, ',');)
        if (o == v1_controller) return dir;
    }
  }
  return "";
}

// This process's cgroup in that hierarchy (from /proc/self/cgroup).
std::string OwnCgroup(const std::string& v1_controller) {
  std::ifstream f("/proc/self/cgroup");
  for (std::string line; std::getline(f, line);) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    if (v1_controller.empty() ? line.compare(0, 3, "0::") == 0 : controllers == v1_controller) {
      return line.substr(b + 1);
    }
  }
  return "";
}

bool WriteValue(const std::string& path, const std::string& value) {
  std::ofstream f(path);
  f << value;
  f.flush();
  return static_cast<bool>(f);
}

// Makes the instance's cgroup under this process's own, with `limits` written;
// "" on success, else why not.
std::string MakeCgroup(const std::string& parent, const std::string& name,
                       const std::vector<std::pair<std::string, std::string>>& limits,
                       std::string* dir) {
  *dir = parent + "/" + name;
  if (!MakeDirs(*dir).ok()) return "cannot create " + *dir;
  for (const auto& [file, value] : limits) {
    if (!WriteValue(*dir + "/" + file, value)) {
      (void)rmdir(dir->c_str());
      return "cannot write " + *dir + "/" + file;
    }
  }
  return "";
}

// Plans the memory limit: cgroup v2, else v1, else RLIMIT_AS (said in a notice).
void PlanMemory(SandboxPlan* plan, const std::string& name) {
  const std::string bytes = std::to_string(plan->memory_bytes);
  std::string why_v2 = "no cgroup v2 hierarchy";
  if (std::string mount = CgroupMount(""); !mount.empty()) {
    std::string parent = mount + OwnCgroup("");
    auto controllers = ReadFile(parent + "/cgroup.controllers");
    if (!controllers.ok() || controllers->find("memory") == std::string::npos) {
      why_v2 = "cgroup v2 at " + mount + " has no memory controller";
    } else if (auto sub = ReadFile(parent + "/cgroup.subtree_control");
               (!sub.ok() || sub->find("memory") == std::string::npos) &&
               !WriteValue(parent + "/cgroup.subtree_control", "+memory")) {
      why_v2 = "cannot enable memory in " + parent + "/cgroup.subtree_control";
    } else {
      why_v2 = MakeCgroup(parent, name, {{"memory.max", bytes}, {"memory.swap.max", "0"}},
                          &plan->cgroup);
      if (why_v2.empty()) {
        plan->memory = MemoryLimit::kCgroupV2;
        return;
      }
    }
  }
  std::string why_v1 = "no v1 memory cgroup";
  if (std::string mount = CgroupMount("memory"); !mount.empty()) {
    why_v1 = MakeCgroup(mount + OwnCgroup("memory"), name, {{"memory.limit_in_bytes", bytes}},
                        &plan->cgroup);
    if (why_v1.empty()) {
      // Swap counts too where the kernel accounts it.
      (void)WriteValue(plan->cgroup + "/memory.memsw.limit_in_bytes", bytes);
      plan->memory = MemoryLimit::kCgroupV1;
      return;
    }
  }
  plan->cgroup.clear();
  plan->memory = MemoryLimit::kAddressSpace;
  plan->notices.push_back(
      "local cloud: memory limit enforced by RLIMIT_AS (each process's address space), not a "
      "cgroup (" +
      why_v2 + "; " + why_v1 + ")");
}

// The limits, as a prefix to any argv: join the cgroup or set RLIMIT_AS, then
// the CPU affinity.
std::vector<std::string> LimitsPrefix(const SandboxPlan& plan) {
  std::vector<std::string> out;
  std::string script;
  if (!plan.cgroup.empty()) {
    script += "echo $$ > " + ShellQuote(plan.cgroup + "/cgroup.procs") + " || exit 125; ";
  }
  if (plan.memory == MemoryLimit::kAddressSpace && plan.memory_bytes > 0) {
    script += "ulimit -v " + std::to_string(plan.memory_bytes / 1024) + " || exit 125; ";
  }
  if (!script.empty()) out = {"/bin/sh", "-c", script + "exec \"$@\"", "sh"};
  if (!plan.cpu_list.empty()) {
    std::string list;
    for (int c : plan.cpu_list) list += (list.empty() ? "" : ",") + std::to_string(c);
    out.insert(out.end(), {"taskset", "-c", list});
  }
  return out;
}

json ToJson(const SandboxPlan& p) {
  return {{"instance_dir", p.instance_dir},
          {"namespaces", p.namespaces},
          {"hidden", p.hidden},
          {"shared", p.shared},
          {"devices", p.devices},
          {"cpu_list", p.cpu_list},
          {"memory_bytes", p.memory_bytes},
          {"memory", static_cast<int>(p.memory)},
          {"cgroup", p.cgroup},
          {"init_pid", p.init_pid},
          {"keeper_pid", p.keeper_pid},
          {"pid_ns", p.pid_ns},
          {"notices", p.notices}};
}

std::vector<std::string> NvidiaDevices() {
  std::vector<std::string> out;
  if (DIR* d = opendir("/dev")) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("nvidia", 0) == 0) out.push_back("/dev/" + name);
    }
    closedir(d);
  }
  return out;
}

// Creates the per-instance venv over the system Python (its packages stay
// visible), with pip running from the system's pip into the venv.
std::string MakeVenv(const std::string& venv) {
  const char* python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  ProcessOptions p;
  p.argv = {python, "-m", "venv", "--system-site-packages", "--without-pip", venv};
  std::string output;
  auto rc = RunCapture(p, &output, 60);
  if (!rc.ok()) return rc.status().message();
  if (*rc != 0)
    return python + std::string(" -m venv exits ") + std::to_string(*rc) + ": " + FirstLine(output);
  for (const char* name : {"pip", "pip3"}) {
    std::string shim = venv + "/bin/" + name;
    if (PathExists(shim)) continue;
    if (!WriteFileAtomic(
             shim, "#!/bin/sh\nexec " + ShellQuote(venv + "/bin/python3") + " -m pip \"$@\"\n")
             .ok() ||
        chmod(shim.c_str(), 0700) != 0) {
      return "cannot write " + shim;
    }
  }
  return "";
}

// The host pid of the first child of `pid`, within 10 s; 0 if none.
pid_t FirstChild(pid_t pid) {
  const std::string path =
      "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  for (int i = 0; i < 400; ++i) {
    std::ifstream f(path);
    pid_t child = 0;
    if (f >> child && child > 0) return child;
    if (!ProcessAlive(pid)) return 0;
    PauseRealTime(0.025);
  }
  return 0;
}

// The recorded init still runs in the recorded namespace.
bool InitAlive(const SandboxPlan& plan) {
  return !plan.pid_ns.empty() && plan.init_pid > 0 &&
         Readlink("/proc/" + std::to_string(plan.init_pid) + "/ns/pid") == plan.pid_ns;
}

}  // namespace

const char* MemoryLimitName(MemoryLimit m) {
  switch (m) {
    case MemoryLimit::kNone:
      return "none";
    case MemoryLimit::kCgroupV2:
      return "cgroup v2 memory.max";
    case MemoryLimit::kCgroupV1:
      return "cgroup v1 memory.limit_in_bytes";
    case MemoryLimit::kAddressSpace:
      return "RLIMIT_AS";
  }
  return "none";
}

std::vector<std::string> SandboxInitArgv(const SandboxPlan& plan) {
  std::vector<std::string> a = LimitsPrefix(plan);
  a.insert(a.end(), {"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs",
                     "/tmp", "--tmpfs", "/dev/shm"});
  for (const auto& dev : plan.devices) a.insert(a.end(), {"--dev-bind", dev, dev});
  for (const auto& dir : plan.hidden) a.insert(a.end(), {"--tmpfs", dir});
  a.insert(a.end(), {"--ro-bind", plan.instance_dir, plan.instance_dir});
  for (const auto& dir : {plan.Home(), plan.Venv(), plan.Requests()})
    a.insert(a.end(), {"--bind", dir, dir});
  for (const auto& dir : plan.shared) a.insert(a.end(), {"--bind", dir, dir});
  a.insert(a.end(), {"--unshare-pid", "--unshare-ipc", "--", "sleep", "infinity"});
  return a;
}

std::vector<std::string> SandboxEnterArgv(const SandboxPlan& plan, const std::string& cwd,
                                          const std::vector<std::string>& command) {
  std::vector<std::string> a = LimitsPrefix(plan);
  if (plan.namespaces) {
    a.insert(a.end(), {"nsenter", "--target", std::to_string(plan.init_pid)});
    // Unprivileged, bubblewrap made a user namespace too.
    if (geteuid() != 0) a.insert(a.end(), {"--user", "--preserve-credentials"});
    a.insert(a.end(), {"--pid", "--mount", "--ipc", "--wd=" + cwd, "--"});
  }
  a.insert(a.end(), command.begin(), command.end());
  return a;
}

SandboxPlan PlanSandbox(const std::string& instance_dir, double cpus, double memory_gib,
                        std::vector<std::string> hidden, std::vector<std::string> shared) {
  SandboxPlan plan;
  plan.instance_dir = instance_dir;
  plan.hidden = std::move(hidden);
  plan.shared = std::move(shared);
  plan.devices = NvidiaDevices();
  const std::string& why = BwrapUnavailable();
  plan.namespaces = why.empty();
  if (!plan.namespaces) {
    plan.notices.push_back("local cloud: no sandbox (" + why +
                           "): the job can write wherever this user can, and processes it "
                           "detaches from its session may outlive the instance");
  }
  for (const auto& dir : plan.shared) {
    if (plan.namespaces) {
      plan.notices.push_back("local cloud: " + dir +
                             " (SPOTRUN_LOCAL_SHARE) is writable by the job");
    }
  }
  plan.cpu_list = PickCpus(cpus, instance_dir);
  if (cpus > 0 && std::floor(cpus) != cpus) {
    std::ostringstream m;
    m << "local cloud: cpus " << cpus << " is given as " << plan.cpu_list.size()
      << " whole CPU(s) (affinity); no CPU quota";
    plan.notices.push_back(m.str());
  }
  if (memory_gib > 0) {
    plan.memory_bytes = static_cast<long long>(memory_gib * 1024 * 1024 * 1024);
    PlanMemory(&plan, "spotrun-" + instance_dir.substr(instance_dir.rfind('/') + 1));
  }
  return plan;
}

Result<std::vector<std::string>> ParseSharedDirs(const std::string& value) {
  std::vector<std::string> out;
  std::stringstream ss(value);
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    struct stat st {};
    if (dir[0] != '/' || stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return InvalidArgument("SPOTRUN_LOCAL_SHARE: " + dir +
                             " is not an absolute path to a directory");
    }
    out.push_back(dir);
  }
  return out;
}

Status StartSandbox(SandboxPlan* plan) {
  for (const auto& dir : {plan->Home(), plan->Requests()}) SPOTRUN_RETURN_IF_ERROR(MakeDirs(dir));
  if (std::string why = MakeVenv(plan->Venv()); !why.empty()) {
    SPOTRUN_RETURN_IF_ERROR(MakeDirs(plan->Venv()));
    plan->notices.push_back("local cloud: no per-instance venv (" + why +
                            "): pip installs where the job's python puts them");
  }
  if (plan->namespaces) {
    ProcessOptions p;
    p.argv = SandboxInitArgv(*plan);
    p.output_path = plan->instance_dir + "/sandbox.log";
    // A launch cut short from here on leaves the sandbox's process group
    // named for the next one to end (AbandonSandbox).
    SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(plan->instance_dir + "/sandbox.starting", ""));
    auto outer = StartDetached(p);
    if (!outer.ok()) return outer.status();
    SPOTRUN_RETURN_IF_ERROR(
        WriteFileAtomic(plan->instance_dir + "/sandbox.starting",
                        std::to_string(*outer) + " " + std::to_string(ProcessStartTicks(*outer))));
    plan->init_pid = FirstChild(*outer);
    plan->keeper_pid = plan->init_pid ? FirstChild(plan->init_pid) : 0;
    plan->pid_ns =
        plan->init_pid ? Readlink("/proc/" + std::to_string(plan->init_pid) + "/ns/pid") : "";
    if (plan->pid_ns.empty() || plan->keeper_pid == 0 ||
        plan->pid_ns == Readlink("/proc/self/ns/pid")) {
      if (ProcessAlive(*outer)) kill(*outer, SIGKILL);
      return Internal("the local instance's sandbox did not start (see " + plan->instance_dir +
                      "/sandbox.log)");
    }
  }
  SPOTRUN_RETURN_IF_ERROR(
      WriteFileAtomic(plan->instance_dir + "/sandbox.json", ToJson(*plan).dump(2)));
  return RemoveAll(plan->instance_dir + "/sandbox.starting");
}

void AbandonSandbox(const std::string& instance_dir) {
  auto text = ReadFile(instance_dir + "/sandbox.starting");
  if (!text.ok()) return;
  std::istringstream in(*text);
  pid_t outer = 0;
  unsigned long long ticks = 0;
  if (in >> outer >> ticks && outer > 0 && ProcessStartTicks(outer) == ticks) {
    kill(-outer, SIGKILL);  // bwrap and its init (the kernel ends the rest)
  }
  (void)RemoveAll(instance_dir + "/sandbox.starting");
}

Result<SandboxPlan> LoadSandbox(const std::string& instance_dir) {
  auto text = ReadFile(instance_dir + "/sandbox.json");
  if (!text.ok()) return NotFound("no sandbox in " + instance_dir);
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Internal("corrupt " + instance_dir + "/sandbox.json");
  SandboxPlan p;
  try {
    p.instance_dir = j.at("instance_dir");
    p.namespaces = j.at("namespaces");
    p.hidden = j.at("hidden").get<std::vector<std::string>>();
    p.shared = j.at("shared").get<std::vector<std::string>>();
    p.devices = j.at("devices").get<std::vector<std::string>>();
    p.cpu_list = j.at("cpu_list").get<std::vector<int>>();
    p.memory_bytes = j.at("memory_bytes");
    int memory = j.at("memory");
    if (memory < 0 || memory > static_cast<int>(MemoryLimit::kAddressSpace)) {
      return Internal("corrupt " + instance_dir + "/sandbox.json: memory " +
                      std::to_string(memory));
    }
    p.memory = static_cast<MemoryLimit>(memory);
    p.cgroup = j.at("cgroup");
    p.init_pid = j.at("init_pid");
    p.keeper_pid = j.at("keeper_pid");
    p.pid_ns = j.at("pid_ns");
    p.notices = j.at("notices").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return Internal("corrupt " + instance_dir + "/sandbox.json: " + e.what());
  }
  return p;
}

std::vector<pid_t> SandboxProcesses(const SandboxPlan& plan) {
  std::vector<pid_t> pids;
  // Once its init is gone the namespace is (the kernel ends the rest), and
  // the kernel may give its number to a new one: only a namespace whose init
  // is still the recorded process is this sandbox's.
  if (!InitAlive(plan)) return pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    if (Readlink("/proc/" + std::string(e->d_name) + "/ns/pid") == plan.pid_ns) {
      pids.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(proc);
  return pids;
}

void StopSandbox(const SandboxPlan& plan, double grace_s) {
  std::vector<pid_t> pids = SandboxProcesses(plan);
  // The init and its keeper (`sleep infinity`) go last: when either ends, the
  // kernel kills the whole namespace at once.
  auto is_core = [&](pid_t p) { return p == plan.init_pid || p == plan.keeper_pid; };
  size_t others = 0;
  for (pid_t p : pids) {
    if (is_core(p)) continue;
    kill(p, SIGTERM);
    ++others;
  }
  const double step = 0.05;
  for (double waited = 0; others > 0 && waited < grace_s; waited += step) {
    PauseRealTime(step);
    others = 0;
    for (pid_t p : SandboxProcesses(plan)) others += is_core(p) ? 0 : 1;
  }
  if (InitAlive(plan)) kill(plan.init_pid, SIGKILL);
  for (int i = 0; i < 100 && !SandboxProcesses(plan).empty(); ++i) PauseRealTime(0.02);
  if (!plan.cgroup.empty()) {
    for (int i = 0; i < 50 && rmdir(plan.cgroup.c_str()) != 0 && errno == EBUSY; ++i) {
      PauseRealTime(0.02);
    }
  }
}

bool InsideSandbox(const std::string& instance_dir) {
  auto plan = LoadSandbox(instance_dir);
  return plan.ok() && !plan->pid_ns.empty() && Readlink("/proc/self/ns/pid") == plan->pid_ns;
}

}  // namespace spotrun
