$me = [Security.Principal.WindowsIdentity]::GetCurrent().User.Value
foreach ($name in $SanitizeRemoveAccounts) {
  $user = Get-LocalUser -Name $name -ErrorAction SilentlyContinue
  if (-not $user) { continue }
  $sid = $user.SID.Value
  if ($sid -eq $me) {
    throw "$name is the account running this cleanup and cannot remove itself: run the build as another administrator"
  }
  # the profile first: Win32_UserProfile deletes its folder and its registry entry
  $prof = Get-CimInstance -ClassName Win32_UserProfile -Filter "SID = '$sid'" -ErrorAction SilentlyContinue
  if ($prof) {
    $where = $prof.LocalPath
    Remove-CimInstance -InputObject $prof
    did "removed the profile $where"
  }
  Remove-LocalUser -SID $sid
  did "removed the local account $name"
}
# the Guest account is the one whose RID is 501, whatever its (localised) name
foreach ($guest in @(Get-LocalUser | Where-Object { $_.SID.Value -like 'S-1-5-21-*-501' })) {
  if ($guest.Enabled) {
    Disable-LocalUser -SID $guest.SID
    did "disabled the Guest account ($($guest.Name))"
  }
}
