# The last step: the live verification has already read the files. Every tool here shuts
# the machine down; the provisioner takes the lost connection after the
# "@@sanitize-sysprep-started" line as success.
$mode = $SanitizeSysprepMode
$ec2v2 = Join-Path $env:ProgramFiles 'Amazon\EC2Launch\ec2launch.exe'
$ec2v1 = Join-Path $env:ProgramData 'Amazon\EC2-Windows\Launch\Scripts'
$ec2config = Join-Path $env:ProgramFiles 'Amazon\Ec2ConfigService\ec2config.exe'
if ($mode -eq 'auto') {
  if (Test-Path -LiteralPath $ec2v2) { $mode = 'ec2launch-v2' }
  elseif (Test-Path -LiteralPath (Join-Path $ec2v1 'SysprepInstance.ps1')) { $mode = 'ec2launch-v1' }
  elseif (Test-Path -LiteralPath $ec2config) { $mode = 'ec2config' }
  else { $mode = 'generic' }
  Write-Output "sysprep_mode auto chose $mode"
}
if ($SanitizeUnattend -and $mode -ne 'generic') { throw "sysprep_unattend needs sysprep_mode generic, not $mode" }
switch ($mode) {
  'ec2launch-v2' {
    did 'EC2Launch v2: ec2launch sysprep --clean --shutdown'
    $r = Invoke-SanitizeNative $ec2v2 @('sysprep', '--clean', '--shutdown')
    if ($r.ExitCode -ne 0) { throw "ec2launch sysprep exited with $($r.ExitCode): $($r.Output) $($r.Error)" }
  }
  'ec2launch-v1' {
    # the first boot then sets a new random password (LaunchConfig.json) and runs user data
    & (Join-Path $ec2v1 'InitializeInstance.ps1') -Schedule
    did 'EC2Launch v1: InitializeInstance.ps1 -Schedule, then SysprepInstance.ps1'
    & (Join-Path $ec2v1 'SysprepInstance.ps1')
  }
  'ec2config' {
    did 'EC2Config: ec2config.exe -sysprep (BundleConfig.xml settings)'
    $r = Invoke-SanitizeNative $ec2config @('-sysprep')
    if ($r.ExitCode -ne 0) { throw "ec2config -sysprep exited with $($r.ExitCode): $($r.Output) $($r.Error)" }
  }
  'generic' {
    $sysprepArgs = @('/generalize', '/oobe', '/shutdown', '/quiet')
    if ($SanitizeUnattend) {
      # passwords arrive in Windows' hidden form; Setup replaces each with
      # *SENSITIVE*DATA*DELETED* once used, and SetupComplete.cmd deletes the files
      $answer = Join-Path $env:SystemRoot 'Panther\unattend.xml'
      [IO.File]::WriteAllBytes($answer, [Convert]::FromBase64String($SanitizeUnattend))
      $setupScripts = Join-Path $env:SystemRoot 'Setup\Scripts'
      New-Item -ItemType Directory -Force -Path $setupScripts | Out-Null
      Add-Content -LiteralPath (Join-Path $setupScripts 'SetupComplete.cmd') -Encoding ASCII `
        -Value 'del /f /q "%WINDIR%\Panther\unattend.xml" "%WINDIR%\System32\Sysprep\unattend.xml" 2>nul'
      did "wrote the answer file $answer; SetupComplete.cmd deletes it after the first boot"
      $sysprepArgs += "/unattend:$answer"
    }
    did 'sysprep.exe /generalize /oobe /shutdown /quiet'
    $r = Invoke-SanitizeNative (Join-Path $env:SystemRoot 'System32\Sysprep\sysprep.exe') $sysprepArgs
    $state = (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Setup\State' -ErrorAction SilentlyContinue).ImageState
    if ($r.ExitCode -ne 0 -or $state -ne 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE') {
      $errLog = Join-Path $env:SystemRoot 'System32\Sysprep\Panther\setuperr.log'
      Get-Content -LiteralPath $errLog -Tail 10 -ErrorAction SilentlyContinue
      throw "sysprep.exe exited with $($r.ExitCode) and left ImageState $state; see $errLog"
    }
  }
  default { throw "unknown sysprep_mode $mode" }
}
