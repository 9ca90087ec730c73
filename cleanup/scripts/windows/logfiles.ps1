$list = Invoke-SanitizeNative 'wevtutil.exe' @('el')
if ($list.ExitCode -ne 0) { throw "wevtutil el exited with $($list.ExitCode): $($list.Error)" }
$cleared = 0
$left = @()
foreach ($log in $list.Output) {
  if (-not $log.Trim()) { continue }
  $r = Invoke-SanitizeNative 'wevtutil.exe' @('cl', $log)
  if ($r.ExitCode -eq 0) { $cleared++ } else { $left += $log }
}
if ($cleared -gt 0) { did "cleared $cleared event logs" }
if ($left.Count -gt 0) {
  # an enabled analytic or debug channel cannot be cleared; it is not a classic log
  Write-Output ("{0} channels could not be cleared (enabled analytic or debug channels): {1}" -f $left.Count, (($left | Select-Object -First 5) -join ', '))
}
