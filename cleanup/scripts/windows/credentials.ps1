# Credential Manager: cmdkey sees the entries of the account running this script only
$list = Invoke-SanitizeNative 'cmdkey.exe' @('/list')
if ($list.ExitCode -ne 0) {
  Write-Output "cmdkey /list exited with $($list.ExitCode): $($list.Error)"
} else {
  foreach ($line in $list.Output) {
    # "Target: LegacyGeneric:target=git:https://example.org" (English Windows)
    if ($line -match '^\s*Target:\s*(.+?)\s*$') {
      $target = $Matches[1]
      $del = Invoke-SanitizeNative 'cmdkey.exe' @("/delete:$target")
      if ($del.ExitCode -ne 0) { throw "cmdkey /delete:$target exited with $($del.ExitCode): $($del.Output)" }
      did "deleted the stored credential $target"
    }
  }
}
# every other user's Credential Manager files, and cloud and tool credentials of every profile
$files = @('.aws\credentials', '.aws\config', '.aliyun\config.json', '.git-credentials', '.netrc', '_netrc',
  '.docker\config.json', 'AppData\Roaming\gcloud\credentials.db', 'AppData\Roaming\gcloud\access_tokens.db',
  'AppData\Roaming\gcloud\application_default_credentials.json', 'AppData\Roaming\gcloud\legacy_credentials')
$users = Join-Path $env:SystemDrive 'Users'
foreach ($prof in Get-SanitizeProfiles) {
  foreach ($rel in $files) {
    $p = Join-Path $prof $rel
    if (Test-Path -LiteralPath $p) { Remove-SanitizeItem $p }
  }
  if ((Split-Path -Parent $prof) -ne $users) { continue } # services keep their tasks' credentials
  foreach ($rel in 'AppData\Roaming\Microsoft\Credentials', 'AppData\Local\Microsoft\Credentials') {
    foreach ($f in @(Get-ChildItem -LiteralPath (Join-Path $prof $rel) -Force -ErrorAction SilentlyContinue)) {
      Remove-SanitizeItem $f.FullName
    }
  }
}
