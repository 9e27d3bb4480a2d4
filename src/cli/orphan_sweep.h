// The orphan sweep's one decision, kept apart so that it can be tested
// without a cloud: what to do with a spotrun-tagged instance, given what the
// store says of its job. SweepOrphans (cli/context.h) acts on it.
#pragma once

#include "store/store.h"

namespace spotrun {

enum class SweepVerdict {
  kKeep,            // Its job is alive in the store.
  kSweep,           // Its job is over, or unknown to a store older than the instance.
  kOlderThanStore,  // Unknown to a store created after it: the store cannot say.
  kStoreError,      // The store could not be read: nothing may be swept.
};

// `job`: the store's answer for the instance's spotrun:job-id tag;
// `launch_time`: the instance's (0 = unknown); `store_created_at`:
// Store::created_at().
SweepVerdict JudgeTaggedInstance(const Result<JobRecord>& job, double launch_time,
                                 double store_created_at);

}  // namespace spotrun
