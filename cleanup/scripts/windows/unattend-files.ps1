# answer files of the installation: Setup has used them (Sysprep gets its own); the files
# in Windows\System32\Sysprep and the EC2 agents' are the build's and are only checked
$root = $env:SystemDrive + '\'
foreach ($rel in 'unattend.xml', 'autounattend.xml', 'Windows\Panther\unattend.xml', 'Windows\Panther\autounattend.xml',
  'Windows\Panther\Unattend\unattend.xml', 'Windows\Panther\Unattend\autounattend.xml') {
  $p = Join-Path $root $rel
  if (Test-Path -LiteralPath $p -PathType Leaf) { Remove-SanitizeItem $p }
}
