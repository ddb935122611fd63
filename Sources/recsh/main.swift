import RecShell

print("recsh \(RecshVersion.string)")
