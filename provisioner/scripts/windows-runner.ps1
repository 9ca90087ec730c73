# Runner of the Windows cleanup script (Windows PowerShell 5.1 and later). The provisioner
# writes a header with the settings above this file, each selected operation as a function
# below it, then the calls: Invoke-SanitizeOperation for each operation, Invoke-SanitizeGather
# when verify is on, and Invoke-SanitizeSysprep last. Everything it says for the provisioner
# is on stdout, one "@@sanitize-..." record per line (see provisioner/output.go).
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
try { [Console]::OutputEncoding = New-Object Text.UTF8Encoding $false } catch { }

# Records go straight to the process's stdout: no formatting, no wrapping at a console
# width, and never captured with an operation's own output.
function Write-SanitizeRecord([string]$Line) {
  [Console]::Out.WriteLine($Line)
  [Console]::Out.Flush()
}

function ConvertTo-SanitizeLine([string]$Text) { ($Text -replace '[\r\n]+', ' ').Trim() }

# did MESSAGE: record one change of the running operation
function did([string]$Message) {
  Write-SanitizeRecord ('@@sanitize-note {0} {1}' -f $script:SanitizeOp, (ConvertTo-SanitizeLine $Message))
  $script:SanitizeChanges++
}

# every profile directory: C:\Users\* (junctions such as "All Users" skipped), LocalSystem's
# and the service accounts'
function Get-SanitizeProfiles {
  $dirs = @(Get-ChildItem -LiteralPath (Join-Path $env:SystemDrive 'Users') -Force -Directory -ErrorAction SilentlyContinue)
  $dirs += @(Get-Item -LiteralPath (Join-Path $env:SystemRoot 'System32\config\systemprofile') -Force -ErrorAction SilentlyContinue)
  $dirs += @(Get-ChildItem -LiteralPath (Join-Path $env:SystemRoot 'ServiceProfiles') -Force -Directory -ErrorAction SilentlyContinue)
  foreach ($d in $dirs) {
    if ($d -and -not ($d.Attributes -band [IO.FileAttributes]::ReparsePoint)) { $d.FullName }
  }
}

# regular files below a directory, never through a reparse point
function Get-SanitizeFiles([string]$Dir) {
  foreach ($e in @(Get-ChildItem -LiteralPath $Dir -Force -ErrorAction SilentlyContinue)) {
    if ($e.Attributes -band [IO.FileAttributes]::ReparsePoint) { continue }
    if ($e.PSIsContainer) { Get-SanitizeFiles $e.FullName } else { $e }
  }
}

# zeros over a file's bytes: a deleted file's clusters keep them until they are reused
function Write-SanitizeZeros([IO.FileInfo]$File) {
  if ($File.Length -eq 0) { return }
  if ($File.IsReadOnly) { $File.IsReadOnly = $false }
  $s = $File.Open([IO.FileMode]::Open, [IO.FileAccess]::Write, [IO.FileShare]::None)
  try {
    $buf = New-Object byte[] 65536
    $left = $s.Length
    while ($left -gt 0) {
      $n = [int][Math]::Min($left, $buf.Length)
      $s.Write($buf, 0, $n)
      $left -= $n
    }
    $s.Flush($true)
  } finally { $s.Dispose() }
}

# delete a file or a tree without following reparse points; $false when something is in use
function Remove-SanitizeTree([string]$Path) {
  try {
    $item = Get-Item -LiteralPath $Path -Force -ErrorAction Stop
    if ($item.Attributes -band [IO.FileAttributes]::ReparsePoint) {
      if ($item.PSIsContainer) { [IO.Directory]::Delete($item.FullName, $false) } else { [IO.File]::Delete($item.FullName) }
      return $true
    }
    if (-not $item.PSIsContainer) {
      if ($item.IsReadOnly) { $item.IsReadOnly = $false }
      [IO.File]::Delete($item.FullName)
      return $true
    }
    $ok = $true
    foreach ($c in @(Get-ChildItem -LiteralPath $item.FullName -Force -ErrorAction Stop)) {
      if (-not (Remove-SanitizeTree $c.FullName)) { $ok = $false }
    }
    if (-not $ok) { return $false }
    $item.Attributes = [IO.FileAttributes]::Directory
    [IO.Directory]::Delete($item.FullName, $false)
    return $true
  } catch { return $false }
}

# shred a file (or every file of a directory), then delete it; a reparse point is unlinked
function Remove-SanitizeItem([string]$Path) {
  $item = Get-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
  if (-not $item) { return }
  if (-not ($item.Attributes -band [IO.FileAttributes]::ReparsePoint)) {
    if ($item.PSIsContainer) {
      foreach ($f in @(Get-SanitizeFiles $item.FullName)) { Write-SanitizeZeros $f }
    } else { Write-SanitizeZeros $item }
  }
  if (-not (Remove-SanitizeTree $item.FullName)) { throw "could not remove $Path (in use?)" }
  did "removed $Path"
}

# empty a file in place: its owner and ACL stay; a reparse point is unlinked instead
function Clear-SanitizeFile([string]$Path) {
  $item = Get-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
  if (-not $item -or $item.PSIsContainer) { return }
  if ($item.Attributes -band [IO.FileAttributes]::ReparsePoint) {
    [IO.File]::Delete($item.FullName)
    did "removed the link $Path"
    return
  }
  if ($item.Length -eq 0) { return }
  Write-SanitizeZeros $item
  $item.Open([IO.FileMode]::Truncate, [IO.FileAccess]::Write, [IO.FileShare]::None).Dispose()
  did "emptied $Path"
}

function Test-SanitizePrivateKey([string]$Path) {
  try {
    $s = [IO.File]::Open($Path, [IO.FileMode]::Open, [IO.FileAccess]::Read, [IO.FileShare]::ReadWrite)
    try {
      $buf = New-Object byte[] 65536
      $n = $s.Read($buf, 0, $buf.Length)
    } finally { $s.Dispose() }
    return ([Text.Encoding]::ASCII.GetString($buf, 0, $n) -match '-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d+:')
  } catch { return $false }
}

# one argument quoted as CommandLineToArgvW reads it
function ConvertTo-SanitizeArgument([string]$Arg) {
  if ($Arg -and $Arg -notmatch '[\s"]') { return $Arg }
  '"' + ($Arg -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"'
}

# run a program and collect its output: Windows PowerShell turns a native program's stderr
# into errors, which $ErrorActionPreference = 'Stop' would make fatal
function Invoke-SanitizeNative([string]$FilePath, [string[]]$ArgumentList) {
  $psi = New-Object Diagnostics.ProcessStartInfo
  $psi.FileName = $FilePath
  $psi.Arguments = (@($ArgumentList | ForEach-Object { ConvertTo-SanitizeArgument $_ }) -join ' ')
  $psi.UseShellExecute = $false
  $psi.CreateNoWindow = $true
  $psi.RedirectStandardOutput = $true
  $psi.RedirectStandardError = $true
  $p = [Diagnostics.Process]::Start($psi)
  $errText = $p.StandardError.ReadToEndAsync()
  $out = $p.StandardOutput.ReadToEnd()
  $p.WaitForExit()
  New-Object PSObject -Property @{
    ExitCode = $p.ExitCode
    Output   = @($out -split '\r?\n' | Where-Object { $_ -ne '' })
    Error    = (ConvertTo-SanitizeLine $errText.Result)
  }
}

# Invoke-SanitizeOperation ID FUNCTION: run one operation and report it; what it writes on
# any stream is kept and shown, at most 20 lines, as its log
$script:SanitizeFailed = 0
function Invoke-SanitizeOperation([string]$Id, [string]$Function) {
  $script:SanitizeOp = $Id
  $script:SanitizeChanges = 0
  $lines = New-Object Collections.Generic.List[string]
  $rc = 0
  try {
    $ErrorActionPreference = 'Stop'
    & $Function *>&1 | ForEach-Object { $lines.Add((ConvertTo-SanitizeLine "$_")) }
  } catch {
    $rc = 1
    $lines.Add((ConvertTo-SanitizeLine "error: $($_.Exception.Message)"))
  }
  $ErrorActionPreference = 'Continue'
  foreach ($l in @($lines | Where-Object { $_ } | Select-Object -Last 20)) { Write-SanitizeRecord "@@sanitize-log $Id $l" }
  if ($rc -ne 0) {
    $script:SanitizeFailed++
    Write-SanitizeRecord "@@sanitize-op $Id failed $rc"
  } elseif ($script:SanitizeChanges -gt 0) {
    Write-SanitizeRecord "@@sanitize-op $Id done 0"
  } else {
    Write-SanitizeRecord "@@sanitize-op $Id noop 0"
  }
}

# Sysprep runs last and shuts the machine down: the marker tells the provisioner that a
# lost connection from here on is the shutdown, not a failure. It does not run when an
# operation failed and on_operation_error is "fail": the build fails anyway, and the
# machine stays up to be looked at.
function Invoke-SanitizeSysprep([string]$Id, [string]$Function) {
  if ($SanitizeStopOnFailure -and $script:SanitizeFailed -gt 0) {
    Write-SanitizeRecord "@@sanitize-log $Id not run: $($script:SanitizeFailed) operations failed"
    Write-SanitizeRecord "@@sanitize-op $Id failed 1"
    return
  }
  Write-SanitizeRecord '@@sanitize-sysprep-started'
  Invoke-SanitizeOperation $Id $Function
}

# the items a need names under a base directory: "Windows/Temp/packer-*" (a glob),
# "ProgramData/ssh/" (a directory and everything below it) or a plain path
function Get-SanitizeNeedItems([string]$Base, [string]$Need) {
  $rel = $Need.Trim('/').Replace('/', '\')
  if ($rel -match '[*?]') {
    $escaped = [Management.Automation.WildcardPattern]::Escape($Base.TrimEnd('\'))
    Get-Item -Path ($escaped + '\' + $rel) -Force -ErrorAction SilentlyContinue
  } else {
    Get-Item -LiteralPath (Join-Path $Base $rel) -Force -ErrorAction SilentlyContinue
  }
}

# Invoke-SanitizeGather: the files the checks read, as one base64 ZIP between two markers,
# with a manifest ("TYPE SIZE PATH", NUL-separated) of everything seen: files above
# $SanitizeFetchMax bytes, or that cannot be read, are only listed, so a check that needs
# one reports "not verified" instead of passing.
function Invoke-SanitizeGather {
  try {
    Add-Type -AssemblyName System.IO.Compression
    $drive = $env:SystemDrive + '\'
    $memory = New-Object IO.MemoryStream
    $zip = New-Object IO.Compression.ZipArchive($memory, [IO.Compression.ZipArchiveMode]::Create, $true)
    $manifest = New-Object Text.StringBuilder
    $seen = @{}
    foreach ($need in $SanitizeNeedsSystem) {
      foreach ($item in @(Get-SanitizeNeedItems $drive $need)) { Add-SanitizeGathered $item $need.EndsWith('/') }
    }
    foreach ($prof in @(Get-SanitizeProfiles)) {
      foreach ($need in $SanitizeNeedsProfile) {
        foreach ($item in @(Get-SanitizeNeedItems $prof $need)) { Add-SanitizeGathered $item $need.EndsWith('/') }
      }
    }
    $bytes = [Text.Encoding]::UTF8.GetBytes($manifest.ToString())
    $w = $zip.CreateEntry('.packer-plugin-sanitize.manifest').Open()
    $w.Write($bytes, 0, $bytes.Length)
    $w.Dispose()
    $zip.Dispose()
    Write-SanitizeRecord '@@sanitize-archive-begin'
    Write-SanitizeRecord ([Convert]::ToBase64String($memory.ToArray(), [Base64FormattingOptions]::InsertLineBreaks))
    Write-SanitizeRecord '@@sanitize-archive-end'
  } catch {
    Write-SanitizeRecord "@@sanitize-fatal gathering the files to verify failed: $(ConvertTo-SanitizeLine $_.Exception.Message)"
    exit 98
  }
}

# Add-SanitizeGathered ITEM RECURSIVE: one item into the archive (uses the gather's $zip,
# $manifest, $seen and $drive)
function Add-SanitizeGathered($Item, [bool]$Recursive) {
  if (-not $Item.FullName.StartsWith($drive, [StringComparison]::OrdinalIgnoreCase)) { return }
  $rel = $Item.FullName.Substring($drive.Length).TrimEnd('\').Replace('\', '/')
  # an entry is added once; a directory first listed alone may be walked later
  if (-not $rel -or ($seen.ContainsKey($rel) -and -not ($Recursive -and $seen[$rel] -eq 'listed'))) { return }
  if ($Item.Attributes -band [IO.FileAttributes]::ReparsePoint) {
    $seen[$rel] = 'link'
    [void]$manifest.Append("l 0 $rel`0")
    return
  }
  if ($Item.PSIsContainer) {
    if (-not $seen.ContainsKey($rel)) {
      [void]$zip.CreateEntry($rel + '/')
      [void]$manifest.Append("d 0 $rel`0")
    }
    $seen[$rel] = 'listed'
    if ($Recursive) {
      $seen[$rel] = 'recursed'
      foreach ($c in @(Get-ChildItem -LiteralPath $Item.FullName -Force -ErrorAction SilentlyContinue)) { Add-SanitizeGathered $c $true }
    }
    return
  }
  $seen[$rel] = 'file'
  [void]$manifest.Append("f $($Item.Length) $rel`0")
  if ($Item.Length -gt $SanitizeFetchMax) { return }
  try {
    $in = [IO.File]::Open($Item.FullName, [IO.FileMode]::Open, [IO.FileAccess]::Read, [IO.FileShare]'ReadWrite, Delete')
    try {
      $copy = New-Object IO.MemoryStream
      $in.CopyTo($copy)
    } finally { $in.Dispose() }
  } catch { return } # in use or denied: listed only
  $out = $zip.CreateEntry($rel, [IO.Compression.CompressionLevel]::Optimal).Open()
  try { $copy.WriteTo($out) } finally { $out.Dispose() }
}

# The script removes itself first (PowerShell has parsed all of it): it may hold the
# answer file of sysprep_unattend.
$selfItem = Get-Item -LiteralPath $SanitizeSelf -Force -ErrorAction SilentlyContinue
if ($selfItem) {
  try { Write-SanitizeZeros $selfItem } catch { }
  Remove-SanitizeTree $SanitizeSelf | Out-Null
}
$identity = [Security.Principal.WindowsIdentity]::GetCurrent()
if (-not (New-Object Security.Principal.WindowsPrincipal $identity).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  Write-SanitizeRecord "@@sanitize-fatal the script runs as $($identity.Name) without administrator rights: log in as an administrator (WinRM and OpenSSH sessions of administrators are elevated) or elevate in execute_command"
  exit 97
}
