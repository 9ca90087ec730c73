$cleanmgr = Join-Path $env:SystemRoot 'System32\cleanmgr.exe'
if (-not (Test-Path -LiteralPath $cleanmgr)) {
  Write-Output 'cleanmgr.exe is not installed (Server Core, or Windows Server without the Desktop Experience): nothing done'
  return
}
# what "cleanmgr /sageset:42" stores when every handler is ticked, removed again after the run
$caches = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\VolumeCaches'
$flag = 'StateFlags0042'
$handlers = @(Get-ChildItem -LiteralPath $caches)
try {
  foreach ($h in $handlers) { New-ItemProperty -LiteralPath $h.PSPath -Name $flag -Value 2 -PropertyType DWord -Force | Out-Null }
  $p = Start-Process -FilePath $cleanmgr -ArgumentList '/sagerun:42' -Wait -PassThru -WindowStyle Hidden
  if ($p.ExitCode -ne 0) { throw "cleanmgr /sagerun:42 exited with $($p.ExitCode)" }
  did "cleanmgr /sagerun:42 ran $($handlers.Count) Disk Cleanup handlers"
} finally {
  foreach ($h in $handlers) { Remove-ItemProperty -LiteralPath $h.PSPath -Name $flag -ErrorAction SilentlyContinue }
}
