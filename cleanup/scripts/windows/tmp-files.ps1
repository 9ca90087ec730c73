$temp = Join-Path $env:SystemRoot 'Temp'
# Packer's files first, shredded: env-var files and elevated wrappers may hold secrets
foreach ($pattern in 'packer-*', 'script-*.ps1', 'script.bat') {
  foreach ($f in @(Get-ChildItem -Path (Join-Path $temp $pattern) -Force -File -ErrorAction SilentlyContinue)) {
    Remove-SanitizeItem $f.FullName
  }
}
# the scheduled tasks of Packer's elevated runs, when Packer could not delete them
foreach ($task in @(Get-ScheduledTask -TaskName 'packer-*' -ErrorAction SilentlyContinue)) {
  Unregister-ScheduledTask -TaskName $task.TaskName -TaskPath $task.TaskPath -Confirm:$false
  did "unregistered Packer's scheduled task $($task.TaskName)"
}
$dirs = @($temp)
foreach ($prof in Get-SanitizeProfiles) { $dirs += Join-Path $prof 'AppData\Local\Temp' }
foreach ($dir in $dirs) {
  $removed = 0
  $busy = 0
  foreach ($e in @(Get-ChildItem -LiteralPath $dir -Force -ErrorAction SilentlyContinue)) {
    if (Remove-SanitizeTree $e.FullName) { $removed++ } else { $busy++ }
  }
  if ($removed -gt 0) { did "removed $removed entries from $dir" }
  if ($busy -gt 0) { Write-Output "$busy entries of $dir are in use and were left" }
}
