; Inno Setup script of the Windows installer: the PyInstaller bundle (packaging/omsdesktop.spec)
; installed per user (no administrator rights), a Start menu entry, «Открыть с помощью» for
; images and PDFs, and an uninstaller.
; WRITTEN, NOT YET RUN: built only by .github/workflows/windows-bundle.yml on a Windows runner.
;   iscc /DAppVersion=0.1.0 /DBundleDir=dist\omsdesktop /DOutDir=dist packaging\windows\omsdesktop.iss

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\omsdesktop"
#endif
#ifndef OutDir
  #define OutDir "..\..\dist"
#endif
#define AppExe "omsdesktop-app.exe"

[Setup]
AppId={{8C1B6C55-3E0B-4C57-9E39-7F1D0B9C2A41}
AppName=Полис ОМС ребёнка
AppVersion={#AppVersion}
AppPublisher=omsdesktop
DefaultDirName={autopf}\omsdesktop
DefaultGroupName=Полис ОМС ребёнка
DisableProgramGroupPage=yes
; Per-user install by default ({autopf} = %LOCALAPPDATA%\Programs); an administrator may choose
; "for all users" in the dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutDir}
OutputBaseFilename=omsdesktop-{#AppVersion}-setup
SetupIconFile=omsdesktop.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes

[Languages]
Name: "ru"; MessagesFile: "compiler:Languages\Russian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Полис ОМС ребёнка"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,Полис ОМС ребёнка}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Полис ОМС ребёнка"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; «Открыть с помощью»: the program and the file types it opens (HKA = the user's or the
; machine's classes, following the install mode).
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "Полис ОМС ребёнка"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".pdf"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpeg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".png"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tif"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tiff"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".heic"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\.pdf\OpenWithList\{#AppExe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.jpg\OpenWithList\{#AppExe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.jpeg\OpenWithList\{#AppExe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.png\OpenWithList\{#AppExe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.tif\OpenWithList\{#AppExe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.tiff\OpenWithList\{#AppExe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.heic\OpenWithList\{#AppExe}"; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,Полис ОМС ребёнка}"; Flags: nowait postinstall skipifsilent
