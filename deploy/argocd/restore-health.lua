-- Argo CD health check for aura.neo4j.io/AuraRestore (installed by argocd-cm.yaml).
-- Argo CD runs it without Lua's string library, so it uses base and table functions only.
-- Order: no status or a stale one -> Progressing; waiting for spec.confirmInstanceId ->
-- Suspended (a person must confirm); other Stalled or phase Failed -> Degraded;
-- Ready (Succeeded) -> Healthy; anything else (snapshotting first, running) -> Progressing.

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

local function is_current(condition)
  return condition ~= nil and (tonumber(condition.observedGeneration) or 0) >= generation
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

local status = obj.status
if status == nil or status.conditions == nil then
  return { status = "Progressing", message = "Waiting for the operator to report status" }
end

local stalled = find_condition(status.conditions, "Stalled")
if is_current(stalled) and stalled.status == "True" then
  if stalled.reason == "ConfirmationMissing" then
    return { status = "Suspended", message = describe(stalled) }
  end
  return { status = "Degraded", message = describe(stalled) }
end

if status.phase == "Failed" then
  return { status = "Degraded", message = "The restore failed (phase Failed)" }
end

local ready = find_condition(status.conditions, "Ready")
if is_current(ready) and ready.status == "True" then
  return { status = "Healthy", message = describe(ready) }
end

if ready ~= nil then
  return { status = "Progressing", message = "Waiting for Ready: " .. describe(ready) }
end
return { status = "Progressing", message = "Waiting for the Ready condition" }
