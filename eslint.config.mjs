import tseslint from "typescript-eslint";
import mocha from "eslint-plugin-mocha";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "bin/**", "policy/bin/**", "**/*.js", "**/*.mjs"] },
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always"],
            "no-console": "off",
        },
    },
    {
        files: ["tools/**/*.ts"],
        rules: {
            // npm start and npm run bench must not run test doubles; test/tools.spec.ts checks the same.
            "no-restricted-imports": [
                "error",
                { patterns: [{ group: ["**/test", "**/test/**"], message: "tools/ never imports test code." }] },
            ],
        },
    },
    {
        files: ["test/**/*.ts"],
        plugins: { mocha },
        rules: {
            // A focused or skipped (pending) test silently shrinks the suite.
            "mocha/no-exclusive-tests": "error",
            "mocha/no-pending-tests": "error",
        },
    },
);
