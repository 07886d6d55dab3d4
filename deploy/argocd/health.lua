-- Argo CD health check for aura.neo4j.io/AuraInstance (installed by argocd-cm.yaml).
-- Argo CD runs it without Lua's string library, so it uses base and table functions only.
-- Order: no status or a stale one -> Progressing; Stalled or not Synced -> Degraded;
-- a transition under way -> Progressing; paused by spec -> Suspended; the password lost
-- (CredentialsAvailable False, PasswordNotRecoverable) -> Degraded with the reset instruction,
-- still being written -> Progressing; Ready -> Healthy.

local generation = tonumber(obj.metadata.generation) or 0

local function find_condition(conditions, wanted)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == wanted then
      return condition
    end
  end
  return nil
end

-- A condition speaks for the current spec unless it says it was computed for an older one.
local function is_current(condition)
  if condition == nil then
    return false
  end
  local observed = tonumber(condition.observedGeneration)
  return observed == nil or observed >= generation
end

local function describe(condition)
  local text = condition.type
  if condition.reason ~= nil and condition.reason ~= "" then
    text = text .. " (" .. condition.reason .. ")"
  end
  if condition.message ~= nil and condition.message ~= "" then
    text = text .. ": " .. condition.message
  end
  return text
end

local transitions = {
  Pending = "waiting to be created",
  Creating = "being created",
  Updating = "being updated",
  Pausing = "pausing",
  Resuming = "resuming",
  Deleting = "being deleted",
}

local status = obj.status
if status == nil then
  return { status = "Progressing", message = "Waiting for the operator to report status" }
end

local observed_generation = tonumber(status.observedGeneration)
if observed_generation == nil or observed_generation < generation then
  return {
    status = "Progressing",
    message = "Waiting for the operator to observe generation " .. generation,
  }
end

local stalled = find_condition(status.conditions, "Stalled")
if is_current(stalled) and stalled.status == "True" then
  return { status = "Degraded", message = describe(stalled) }
end

local synced = find_condition(status.conditions, "Synced")
if is_current(synced) and synced.status == "False" then
  return { status = "Degraded", message = describe(synced) }
end

local phase = status.phase
if phase == "Failed" then
  return { status = "Degraded", message = "The instance failed (phase Failed)" }
end

if phase ~= nil and transitions[phase] ~= nil then
  return { status = "Progressing", message = "The instance is " .. transitions[phase] }
end

if obj.spec ~= nil and obj.spec.paused == true and phase == "Paused" then
  return { status = "Suspended", message = "The instance is paused (spec.paused)" }
end

-- The instance runs, but nothing can connect to it until a person resets the password.
local credentials = find_condition(status.conditions, "CredentialsAvailable")
if credentials ~= nil and credentials.status == "False" then
  if credentials.reason == "PasswordNotRecoverable" then
    return { status = "Degraded", message = describe(credentials) }
  end
  return { status = "Progressing", message = "Waiting for the connection Secret: " .. describe(credentials) }
end

local ready = find_condition(status.conditions, "Ready")
if is_current(ready) and ready.status == "True" then
  return { status = "Healthy", message = describe(ready) }
end

if ready ~= nil then
  return { status = "Progressing", message = "Waiting for Ready: " .. describe(ready) }
end
return { status = "Progressing", message = "Waiting for the Ready condition" }
