$sshDir = Join-Path $env:ProgramData 'ssh'
# emptied in place: sshd refuses the file unless only Administrators and SYSTEM may write it
Clear-SanitizeFile (Join-Path $sshDir 'administrators_authorized_keys')
# host keys: the sshd service generates new ones when it starts without them
foreach ($k in @(Get-ChildItem -LiteralPath $sshDir -Filter 'ssh_host_*_key*' -Force -File -ErrorAction SilentlyContinue)) {
  Remove-SanitizeItem $k.FullName
}
foreach ($prof in Get-SanitizeProfiles) {
  $dir = Join-Path $prof '.ssh'
  foreach ($f in @(Get-ChildItem -LiteralPath $dir -Force -File -ErrorAction SilentlyContinue)) {
    if ($f.Name -match '^authorized_keys2?$') {
      Clear-SanitizeFile $f.FullName
    } elseif ($f.Name -notmatch '\.pub$' -and (Test-SanitizePrivateKey $f.FullName)) {
      Remove-SanitizeItem $f.FullName
    }
  }
}
