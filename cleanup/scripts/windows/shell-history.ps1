# this session's own history (it is not interactive, so PSReadLine saves nothing of it)
Clear-History
foreach ($prof in Get-SanitizeProfiles) {
  $dir = Join-Path $prof 'AppData\Roaming\Microsoft\Windows\PowerShell\PSReadLine'
  foreach ($f in @(Get-ChildItem -LiteralPath $dir -Filter '*_history.txt' -Force -File -ErrorAction SilentlyContinue)) {
    Remove-SanitizeItem $f.FullName
  }
}
