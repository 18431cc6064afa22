// Starts `isopod lsp` for .iso files; everything else comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

exports.activate = function activate() {
  const command = vscode.workspace.getConfiguration("isopod").get("path") || "isopod";
  client = new LanguageClient(
    "isopod",
    "Isopod",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "isopod" }] },
  );
  return client.start();
};

exports.deactivate = function deactivate() {
  return client ? client.stop() : undefined;
};
